"""Response mapping paths: dots, [n], [*], and what happens when a path is missing."""

import pytest

from functions.mapping import MappingError, apply_mapping, cap_result, parse_path, validate_mapping

ANSWER = {
    "data": {
        "items": [
            {"price": "$1.8M", "address": "12 Ocean St", "agent": {"name": "Priya"}},
            {"price": "$950k", "address": "3 Bay Rd"},
            {"price": "$2.1M"},
        ],
        "total": 3,
    },
    "0": "zero-key",
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("data.total", 3),
        ("data.items[0].price", "$1.8M"),
        ("data.items[-1].price", "$2.1M"),
        ("data.items[0].agent.name", "Priya"),
        ("data.items[*].address", ["12 Ocean St", "3 Bay Rd"]),
        ("data.items[*].price", ["$1.8M", "$950k", "$2.1M"]),
        ("data.items[*].agent.name", ["Priya"]),
        ("0", "zero-key"),
    ],
)
def test_paths_pick_values_out_of_the_answer(path, expected):
    outputs, missing = apply_mapping(ANSWER, {"value": path})
    assert outputs == {"value": expected}
    assert missing == []


def test_paths_work_on_a_top_level_list():
    outputs, _ = apply_mapping([{"id": 7}, {"id": 8}], {"first": "[0].id", "all": "[*].id"})
    assert outputs == {"first": 7, "all": [7, 8]}


@pytest.mark.parametrize(
    "path", ["data.missing", "data.items[9].price", "data.total.x", "data[0]", "data.items.price"]
)
def test_a_missing_path_gives_none_and_is_reported(path):
    outputs, missing = apply_mapping(ANSWER, {"value": path, "total": "data.total"})
    assert outputs == {"value": None, "total": 3}
    assert missing == ["value"]


@pytest.mark.parametrize(
    "path", ["", "data..price", ".data", "data.", "data[x]", "data[0", "items[*]]", "a b"]
)
def test_malformed_paths_are_rejected(path):
    with pytest.raises(MappingError):
        parse_path(path)


def test_a_mapping_must_be_an_object_of_valid_names_and_paths():
    assert validate_mapping({"price": "data.items[0].price"}) == {"price": "data.items[0].price"}
    with pytest.raises(MappingError, match="JSON object"):
        validate_mapping(["data.price"])
    with pytest.raises(MappingError, match="not a valid output name"):
        validate_mapping({"the price": "data.price"})
    with pytest.raises(MappingError, match="price: “data..x” is not a valid path"):
        validate_mapping({"price": "data..x"})


def test_an_oversized_result_is_truncated_for_the_agent():
    capped = cap_result({"text": "x" * 20_000})
    assert capped["truncated"] is True
    assert len(capped["partial_result"]) == 8_000
    assert cap_result({"small": 1}) == {"small": 1}
