"""Use cases: load, decide with portal.domain, write, commit, audit."""
