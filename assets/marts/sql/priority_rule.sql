-- main.priority_rule: the scoring table behind main.priority (assets/stats/priority.py).
CREATE OR REPLACE TABLE main.priority_rule AS
SELECT rule_order::INTEGER AS rule_order, criterion, label, points::INTEGER AS points, condition
FROM stats_priority_rule
ORDER BY rule_order;
