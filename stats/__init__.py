"""Anonymised statistics for union reps and exact statistics for managers (issue 7).

Modules, in the order a request passes through them:

- ``forms``       the filters (whole months from/to, a unit) shared by the page, the exports and the API
- ``scope``       which units a request covers, whether the figures are exact, and the folding of
                  units with fewer than k employees into their parent
- ``queries``     the counting, done by the database (GROUP BY and conditional counts)
- ``rollup``      ``MonthlyCount``, one row per block (unit × month) with what ``queries`` counts of it,
                  recounted on commit (``signals``), nightly (``tasks``) and by ``rebuild_statistics``;
                  the selectors read the blocks from it; ``MonthlyTarget`` beside it, the caseworkers
                  targeted per block, for the share of employees targeted (a distinct count over months)
- ``disclosure``  the disclosure control: fixed month × unit blocks rounded to base k (pure Python)
- ``selectors``   puts the three together into ``Statistics`` (tables and key figures)
- ``charts``      server-side SVG charts drawn from the published figures only
- ``exports``     CSV and JSON; ``pdf`` the PDF; ``views``, ``api`` the pages and the endpoint
- ``models``      ``IncidentResidue``: the anonymised residue of incidents purged after the retention
                  period (``retention.services``), written by ``residue`` just before the deletion

Retention: a purged incident leaves a residue row with only what ``queries`` counts (unit,
registration month, level in force, status, perpetrator relation, related phenomena, platforms,
reported to the police/Datatilsynet, days to the first action), and ``queries.counts_for`` adds
the residue of the selection to every count, so a period's figures stay the same after a purge.
The share of employees targeted is the exception: it counts live incidents only, because the
residue keeps no person (an incident is purged at the earliest one month after closing, usually
24, so it has mostly left the 12 months that share looks at anyway).
"""
