"""`orgscan push`: a finished run's findings to Security Hub, its evidence to S3.

Like the collectors, each destination declares the IAM actions it calls, so `orgscan policy --push` prints
exactly what push needs and a test fails on an undeclared call.
"""
