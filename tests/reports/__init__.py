"""Tests of the reports app: PDF contents, bad input, bundles, pages, API and a real worker."""
