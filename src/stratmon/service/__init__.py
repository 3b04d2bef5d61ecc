"""``stratmon serve``: the API and, in the same process, the scheduler of the daily job."""
