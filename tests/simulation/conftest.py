"""The simulated organization's fixtures live in tests/conftest.py, shared by every test folder."""
