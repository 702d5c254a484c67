"""The only modules that talk to AWS: sessions, pagination and error translation."""
