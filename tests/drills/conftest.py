"""The drills break a running platform on purpose (the broker connection, the database, a process)
under load, and then check that nothing was lost or written twice and that every part came back by
itself. Each drill leaves the shared platform as it found it: running and ready."""
