"""Per-person data keys and sealing with them (crypto-shredding, issue 18), for every
service that stores personal data: `keyring.PersonKeyring`, `sealing.PersonSealer`."""
