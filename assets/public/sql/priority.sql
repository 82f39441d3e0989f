-- public.priority before masking: the prioritisation's inputs per area × theme × year. The
-- points and the score are computed again from the published values (assets/public/priority.py),
-- so that nothing in this table is made of a hidden count.
SELECT p.area_id, a.area_name, p.year, p.theme, p.is_prioritised,
       p.crime_count, p.mean_area_count, p.crimes_per_1000, p.reference_rate_per_1000,
       p.funnel_position, p.signal_crime_count, p.signal_per_1000, p.signal_reference_per_1000,
       p.referral_funnel_position, p.team_assessment
FROM intermediate.priority_input AS p JOIN main.area AS a USING (area_id)
ORDER BY p.year, p.area_id, p.theme;
