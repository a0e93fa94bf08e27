"""Support rotas: who is on duty for a support line at a given instant. Pure: no I/O."""
