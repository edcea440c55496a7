"""The commands the coordinator, exit-coordinator and management apps send: imperative
names, validated at the edge (they are the HTTP bodies), each run by the service in one
transaction."""
