-- The releases stored release regressions are about: their customers are read every run (the audience of a
-- regression keeps growing after its release's watch has ended).
SELECT DISTINCT platform, app_version FROM incidents WHERE kind = 'release_regression'
