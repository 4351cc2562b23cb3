"""The 38 attacks of the attack suite (../shared/attack-suite.md), each with the tests that show
it holds. "Holds": the crawl finishes, the error is recorded with its URL, other sources are
unharmed, nothing is lost or stored twice, and nothing is leaked or executed.

`tests/hostile/test_attack_suite.py` checks that every attack is listed and every test named
here exists, so an attack cannot lose its test unnoticed. A test is "path::function", with
"[id]" for one case of a parametrised test.
"""

from __future__ import annotations

XML = "tests/hostile/test_xml_attacks.py::test_attack_is_refused_bounded_and_touches_nothing"
FAULT = "tests/hostile/test_faults.py::test_fault_is_survived_recorded_and_bounded"
PARSE = "tests/hostile/test_parse_attacks.py"
PROCESS = "tests/faults/test_process_attacks.py"
STORE = "tests/faults/test_store_attacks.py"
REVIEW = "tests/hostile/test_review_attacks.py"

ATTACKS: dict[int, tuple[str, tuple[str, ...]]] = {
    1: ("billion laughs", (f"{XML}[billion_laughs]", f"{XML}[utf16_billion_laughs]")),
    2: ("quadratic blow-up", (f"{XML}[quadratic_blowup]",)),
    3: ("external entity", (f"{XML}[external_entity_local_file]",)),
    4: ("parameter entity", (f"{XML}[external_parameter_entity]",)),
    5: ("external DTD", (f"{XML}[external_dtd]",)),
    6: (
        "the above in UTF-16",
        (
            f"{XML}[utf16_quadratic]",
            f"{XML}[utf16_billion_laughs]",
            f"{XML}[utf16_external_entity]",
            f"{XML}[utf16_external_dtd]",
            f"{XML}[utf16_external_parameter_entity]",
        ),
    ),
    7: ("late declaration", (f"{XML}[entity_after_comment]", f"{XML}[entity_after_junk]")),
    8: ("gzip bomb", (f"{FAULT}[gzip_bomb]", f"{FAULT}[deflate_bomb]")),
    9: ("brotli bomb", (f"{FAULT}[brotli_bomb]",)),
    10: ("huge body", (f"{FAULT}[huge_declared]", f"{FAULT}[huge_chunked]", f"{FAULT}[huge_body]")),
    11: ("huge file offline", (f"{PARSE}::test_attack_11_huge_file_offline_is_refused_unread",)),
    12: (
        "truncated XML",
        (
            f"{PARSE}::test_attack_12_truncated_xml_keeps_complete_entries_and_warns",
            f"{FAULT}[truncated]",
        ),
    ),
    13: (
        "junk bytes / mixed encodings",
        (
            f"{PARSE}::test_attack_13_junk_bytes_and_mixed_encodings",
            f"{FAULT}[wrong_charset]",
            "tests/hostile/test_feed_corpus.py::test_every_corpus_file_gives_items_or_a_reason",
        ),
    ),
    14: (
        "very large legitimate feed",
        (
            f"{PARSE}::test_attack_14_very_large_legitimate_feed_keeps_the_newest_entries",
            f"{FAULT}[feed_bomb]",
        ),
    ),
    15: (
        "deeply nested page",
        (
            f"{PARSE}::test_attack_15_deeply_nested_page_is_refused_through_the_html_parser",
            f"{FAULT}[html_bomb]",
        ),
    ),
    16: (
        "nested markup inside feed entries",
        (f"{PARSE}::test_attack_16_nested_markup_inside_a_feed_entry_loses_only_that_field",),
    ),
    17: (
        "long repetitive text",
        (
            f"{FAULT}[long_text]",
            "tests/hostile/test_cpu_budget.py::test_a_runaway_parse_is_abandoned_and_nothing_else_waits",
            "tests/classify/test_spans.py::test_random_matches_give_the_reference_result",
            "tests/drafting/test_bounded_cpu.py::test_near_duplicates_compare_a_long_page_in_linear_time",
        ),
    ),
    18: (
        "script and URL payloads",
        (
            "tests/hostile/test_payload_attacks.py::test_attack_18_script_and_url_payloads",
            "tests/review/test_sanitiser_corpus.py",
        ),
    ),
    19: ("CSV formula injection", (f"{PARSE}::test_attack_19_csv_formula_injection_is_defused",)),
    20: (
        "NUL byte in one entry",
        (f"{STORE}::test_attack_20_nul_byte_in_one_entry", f"{FAULT}[nul_entry]"),
    ),
    21: ("slow drip / never answers", (f"{FAULT}[slow_drip]", f"{FAULT}[no_response]")),
    22: (
        "reset mid-body / 500",
        (f"{FAULT}[truncated]", f"{FAULT}[length_mismatch]", f"{FAULT}[http_500]"),
    ),
    23: (
        "429 with Retry-After",
        (
            f"{FAULT}[http_429]",
            "tests/ops/test_schedule.py::test_a_long_retry_after_disables_the_source_instead_of_sleeping",
        ),
    ),
    24: ("redirect loop", (f"{FAULT}[redirect_loop]",)),
    25: (
        "SSRF redirects",
        ("tests/hostile/test_network_attacks.py::test_attack_25_ssrf_redirects",),
    ),
    26: ("non-HTTP redirect", (f"{PROCESS}::test_attack_26_non_http_redirect_recorded",)),
    27: ("wrong Content-Type", (f"{PROCESS}::test_attack_27_wrong_content_type",)),
    28: ("304 without validators", (f"{FAULT}[unasked_304]",)),
    29: (
        "SIGKILL a crawl",
        (
            f"{PROCESS}::test_attack_29_sigkill_a_crawl_then_recrawl",
            "tests/hostile/test_crash_safety.py::test_sigkill_at_random_points_loses_nothing",
        ),
    ),
    30: (
        "SIGKILL crawl --due",
        (f"{PROCESS}::test_attack_30_sigkill_crawl_due_leaves_no_silent_lease",),
    ),
    31: (
        "SIGKILL a worker mid-job",
        (
            "tests/ops/test_distributed.py::test_a_killed_workers_job_is_redone_and_every_item_stored_once",
        ),
    ),
    32: (
        "database connections killed mid-crawl",
        (f"{STORE}::test_attack_32_connections_killed_mid_crawl_then_recrawl",),
    ),
    33: (
        "review app without login or CSRF token",
        (f"{REVIEW}::test_attack_33_every_state_changing_route_needs_login_and_csrf",),
    ),
    34: (
        "viewer account changing things",
        (f"{REVIEW}::test_attack_34_viewer_cannot_change_anything",),
    ),
    35: (
        "session replay after logout; session fixation",
        (f"{REVIEW}::test_attack_35_session_replay_after_logout_and_fixation",),
    ),
    36: ("password brute force", (f"{REVIEW}::test_attack_36_password_brute_force_throttled",)),
    37: ("open redirect on login", (f"{REVIEW}::test_attack_37_open_redirect_on_login",)),
    38: (
        "concurrency",
        (
            "tests/ops/test_schedule.py::test_overlapping_due_runs_never_crawl_a_source_twice",
            "tests/storage/test_repository.py::test_concurrent_writers_store_each_item_once",
            "tests/scale/test_postgres_concurrency.py::test_concurrent_crawlers_and_an_editor_lose_and_duplicate_nothing",
            "tests/exports/test_consumers.py::test_exports_racing_in_two_threads_send_each_item_once",
            "tests/exports/test_consumers.py::test_a_second_export_to_the_same_consumer_stops_while_the_first_runs",
            "tests/exports/test_cli_export.py::test_a_consumer_already_being_exported_to_exits_75",
        ),
    ),
}
