"""Host ports for the stack: the ones asked for, else the next free one, deterministically."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from targets.compose.ports import choose_ports


def test_free_ports_are_kept() -> None:
    assert choose_ports({"grafana": 3000, "prometheus": 9090}, [80, 443]) == {
        "grafana": 3000,
        "prometheus": 9090,
    }


def test_a_taken_port_moves_to_the_next_free_one() -> None:
    assert choose_ports({"grafana": 3000}, [3000, 3001, 3003]) == {"grafana": 3002}


def test_components_never_share_a_port_and_are_placed_in_name_order() -> None:
    chosen = choose_ports({"loki": 3000, "grafana": 3000, "tempo": 3001}, [3000])
    assert chosen == {"grafana": 3001, "loki": 3002, "tempo": 3003}


def test_no_free_port_left_is_an_error() -> None:
    with pytest.raises(ValueError, match="no free host port"):
        choose_ports({"grafana": 65535}, [65535])


@given(
    st.dictionaries(
        st.sampled_from(["collector", "prometheus", "alertmanager", "loki", "tempo", "grafana"]),
        st.integers(1, 65000),
    ),
    st.sets(st.integers(1, 65535), max_size=50),
)
def test_chosen_ports_are_free_distinct_and_stable(
    requested: dict[str, int], taken: set[int]
) -> None:
    chosen = choose_ports(requested, taken)
    assert set(chosen) == set(requested)
    assert not set(chosen.values()) & taken
    assert len(set(chosen.values())) == len(chosen)
    assert all(chosen[c] >= requested[c] for c in chosen)
    assert choose_ports(dict(reversed(list(requested.items()))), sorted(taken)) == chosen
