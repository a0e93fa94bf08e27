"""The shared kernel of the pure core: what triage/ and rota/ both speak (domain errors, people in messages).

It imports neither of them, so rota/ can refuse a request without importing triage/, and triage/ builds on rota/.
"""
