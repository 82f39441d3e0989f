SELECT theme, description, sort_order, is_listed FROM main.theme ORDER BY sort_order;
