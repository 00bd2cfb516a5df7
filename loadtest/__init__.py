"""Running the real app under gunicorn against a throwaway database: the live concurrency tests and `make loadtest`."""
