SELECT theme, description, is_prioritised, sort_order, is_listed FROM main.theme ORDER BY sort_order;
