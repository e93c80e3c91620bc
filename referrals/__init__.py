"""referrals: a capability of OpinionOps (see shared/STYLE.md); it calls the incident core's actions and\nopens deadlines through them; it never writes incident state itself."""
