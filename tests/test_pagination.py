"""Page links of long lists: a handful of numbers, whatever the number of pages."""

from common.pagination import page_links


def test_the_links_are_few_and_keep_both_ends():
    assert page_links(1, 1) == [1]
    assert page_links(1, 3) == [1, 2, 3]
    assert page_links(20, 40_000) == [1, None, 18, 19, 20, 21, 22, None, 40_000]
    assert page_links(40_000, 40_000) == [1, None, 39_998, 39_999, 40_000]
    assert page_links(4, 10) == [1, 2, 3, 4, 5, 6, None, 10]


def test_an_unknown_end_shows_the_next_page_and_a_gap():
    assert page_links(1, None) == [1, 2, None]
    assert page_links(41, None) == [1, None, 39, 40, 41, 42, None]
