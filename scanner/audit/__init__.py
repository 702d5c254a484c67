"""What makes a run folder fit to hand to an auditor and to compare month over month.

One module per job: `manifest` (hashes of every file), `verify` (check a folder or bundle against its
manifest and its raw evidence), `bundle` (one deterministic zip), `checkpoint` (the state that lets an
interrupted scan resume), `history` (the local database of completed runs), `changes` (what changed since
the previous run, and the trend), `accepted_risks` (the exceptions register) and `outputs` (the derived
files the last three add to every run folder).
"""
