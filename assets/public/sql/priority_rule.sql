SELECT rule_order, criterion, label, points, condition FROM main.priority_rule ORDER BY rule_order;
