"""SLMPD's listing page read without a server (crimesite.listing): its links, their periods, the releases held."""

from __future__ import annotations

import logging

from crimesite import config, listing

PAGE = "https://www.slmpd.org/crime_stats.shtml"


def test_the_parser_keeps_every_link_with_its_text_across_tags():
    parser = listing.LinkParser()
    parser.feed('<a href=" a.csv "><b>January</b>\n  2024</a><a href="">empty</a><a href="b.csv">left open')
    parser.close()
    assert parser.links == [("a.csv", "January 2024"), ("b.csv", "left open")]


def test_csv_links_are_resolved_once_each_and_encoded():
    page = """<a href="/files/Jan 2024.csv#top"></a><a href="/files/Jan%202024.csv">January 2024</a>
    <a href="/files/Feb2024.CSV.GZ">February 2024</a><a href="/files/notes.pdf">Notes</a>
    <a href="mailto:x@example.org.csv">Mail</a><a href="ftp://example.org/a.csv">FTP</a>"""
    assert listing.csv_links(page, PAGE) == [
        listing.Link("https://www.slmpd.org/files/Jan%202024.csv", "January 2024"),
        listing.Link("https://www.slmpd.org/files/Feb2024.CSV.GZ", "February 2024"),
    ]


def test_a_link_period_comes_from_its_text_else_its_name(caplog):
    with caplog.at_level(logging.WARNING, logger="crimesite.listing"):
        assert listing.link_period(listing.Link(f"{PAGE}/x.csv", "March 2024")) == "2024-03"
        assert listing.link_period(listing.Link(f"{PAGE}/2021-2023.csv", "Download")) == "2021-2023"
        assert listing.link_period(listing.Link(f"{PAGE}/March2024.csv", "February 2024")) is None
        assert listing.link_period(listing.Link(f"{PAGE}/latest.csv", "Latest")) is None
    assert [record.getMessage().split(": ")[1] for record in caplog.records] == [
        "its text gives 2024-02, its file name 2024-03",
        "neither its text nor its file name gives a period",
    ]


def test_a_pin_replaces_the_links_of_its_period_and_periods_come_in_order():
    pinned = config.Listing(PAGE, "raw/{period}.csv", (config.Pin("2024-02", "https://example.org/feb.csv"),))
    links = [
        listing.Link("https://x.org/May2024.csv", "May 2024"),
        listing.Link("https://x.org/a.csv", "February 2024"),
        listing.Link("https://x.org/b.csv", "February 2024"),
        listing.Link("https://x.org/c.csv", "January 2024"),
    ]
    by_period = listing.links_by_period(links, pinned)
    assert by_period == {
        "2024-01": [links[3]],
        "2024-02": [listing.Link("https://example.org/feb.csv", "")],
        "2024-05": [links[0]],
    }
    assert listing.twice(PAGE, "2024-02", links[1:3]) == (
        f"{PAGE}: 2 links for 2024-02: 'February 2024' (https://x.org/a.csv), 'February 2024' (https://x.org/b.csv); "
        "pin one in site.yml (fetch.listing.pins)"
    )


def test_held_periods_are_the_raw_files_by_the_period_their_names_give(tmp_path):
    raw = tmp_path / "raw"
    (raw / "nibrs").mkdir(parents=True)
    for name in ("nibrs/Crime-01-2024.csv.gz", "nibrs/2024-01.csv", "2021-2023.csv", "notes.txt", "latest.csv"):
        (raw / name).write_bytes(b"")
    assert listing.held_periods(raw) == {
        "2021-2023": [raw / "2021-2023.csv"],
        "2024-01": [raw / "nibrs" / "2024-01.csv", raw / "nibrs" / "Crime-01-2024.csv.gz"],
    }
    assert listing.held_periods(tmp_path / "missing") == {}


def test_a_path_is_shown_relative_to_the_folder_when_inside_it(tmp_path):
    assert listing.shown_path(tmp_path / "raw" / "a.csv", tmp_path) == "raw/a.csv"
    assert listing.shown_path(tmp_path.parent / "b\x1b.csv", tmp_path) == str(tmp_path.parent / "b\\x1b.csv")
