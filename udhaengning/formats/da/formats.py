"""Danish date formats: Django's, with the time written "kl. 14.30" as Danish prose does.

Templates use the named formats (DATE_FORMAT, DATETIME_FORMAT, SHORT_DATE_FORMAT, ...), so
English pages get Django's English formats ("Dec. 2, 2026, 2:30 p.m.") from the same template.
"""

DATETIME_FORMAT = r"j. F Y \k\l. H.i"
