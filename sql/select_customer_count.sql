-- How many customers there are (the population of the link test).
SELECT COUNT(*) FROM customers
