from huying.activities.tests.people import cast, now  # noqa: F401  (fixtures)
