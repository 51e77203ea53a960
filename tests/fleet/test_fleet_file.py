"""Fleet files: what is accepted, and the one-line error of everything that is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.run.fleet import load_fleet, parse_shard, shard_names, worst_exit_code
from generator.errors import UsageError
from tests.fleet.helpers import run_cli, write_fleet


def _error(path: Path) -> str:
    with pytest.raises(UsageError) as info:
        load_fleet(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_good_file_is_read_with_defaults_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "b.json").write_text('{"version": 1, "accepted": []}')
    path = write_fleet(
        tmp_path / "fleet.toml",
        [
            {
                "name": "prod-eu",
                "url": "https://eu.example.com",
                "api_key_env": "EU_KEY",
                "deployments": ["gpt-4o-mini"],
                "baseline": "base/b.json",
            },
            {"name": "emu", "emulator": True, "faults": ["no-done"], "max_requests": 40},
        ],
        defaults={"surface": "dated", "max_requests": 90},
    )
    fleet = load_fleet(path)
    eu, emu = fleet.targets
    assert fleet.names == ["prod-eu", "emu"]
    assert (eu.surface, eu.max_requests, eu.deployments) == ("dated", 90, ("gpt-4o-mini",))
    assert eu.baseline == tmp_path / "base" / "b.json"
    assert (emu.emulator, emu.faults, emu.max_requests, emu.url) == (True, ("no-done",), 40, None)


@pytest.mark.parametrize(
    ("targets", "text", "expected"),
    [
        (None, "[[target]\nname=", "is not valid TOML"),
        (
            None,
            "[[target]]\nname = 'a'\nurll = 'https://x'\n",
            "unknown key 'urll' (did you mean 'url'?)",
        ),
        (None, "title = 'x'\n", "unknown top-level key 'title'"),
        (None, "", "lists no targets"),
        (
            [{"name": "a", "api_key_env": "K", "deployments": ["d"]}],
            None,
            "target 'a' has no url; add url =",
        ),
        ([{"url": "https://x.example.com"}], None, "target #1 has no name"),
        ([{"name": "a b", "emulator": True}], None, "may only hold letters"),
        (
            [{"name": "a", "emulator": True}, {"name": "a", "emulator": True}],
            None,
            "two targets are named 'a'",
        ),
        ([{"name": "a", "url": "ftp://x"}], None, "target 'a': url:"),
        (
            [{"name": "a", "url": "https://x.example.com", "deployments": ["d"]}],
            None,
            "has no api_key_env",
        ),
        (
            [{"name": "a", "url": "https://x.example.com", "api_key_env": "K"}],
            None,
            "has no deployments",
        ),
        (
            [
                {
                    "name": "a",
                    "url": "https://x.example.com",
                    "api_key_env": "K",
                    "deployments": ["d"],
                    "faults": ["no-done"],
                }
            ],
            None,
            "faults only apply to an embedded emulator",
        ),
        (
            [{"name": "a", "emulator": True, "faults": ["no-such-fault"]}],
            None,
            "unknown fault 'no-such-fault'",
        ),
        ([{"name": "a", "emulator": True, "surface": "v2"}], None, "surface must be one of"),
        (
            [{"name": "a", "emulator": True, "max_requests": 0}],
            None,
            "max_requests must be a whole number",
        ),
        ([{"name": "a", "emulator": True, "baseline": "nope.json"}], None, "does not exist"),
        (
            [{"name": "a", "emulator": True, "profile": "no-such-profile"}],
            None,
            "profile 'no-such-profile' not found",
        ),
        ([{"name": "a", "emulator": True, "url": "https://x.example.com"}], None, "contradict"),
    ],
)
def test_bad_files_are_one_line_errors(
    tmp_path: Path, targets: list[dict[str, object]] | None, text: str | None, expected: str
) -> None:
    path = tmp_path / "fleet.toml"
    if targets is not None:
        write_fleet(path, targets)
    else:
        path.write_text(text or "")
    assert expected in _error(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    assert (
        _error(tmp_path / "nope.toml")
        == f"fleet file {tmp_path / 'nope.toml'} does not exist; check the path"
    )


def test_a_key_in_the_file_is_refused_without_echoing_it(tmp_path: Path) -> None:
    secret = "sk-in-the-file-Xy7Wq2"
    path = write_fleet(tmp_path / "f.toml", [{"name": "a", "emulator": True, "api_key": secret}])
    message = _error(path)
    assert "api_key_env" in message and secret not in message
    # a key pasted where the variable's NAME belongs is not echoed either
    path = write_fleet(
        tmp_path / "g.toml",
        [
            {
                "name": "a",
                "url": "https://x.example.com",
                "api_key_env": secret,
                "deployments": ["d"],
            }
        ],
    )
    message = _error(path)
    assert "NAME of an environment variable" in message and secret not in message


def test_an_unset_key_variable_is_named_never_its_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLEET_UNSET_KEY", raising=False)
    path = write_fleet(
        tmp_path / "f.toml",
        [
            {
                "name": "prod",
                "url": "https://x.example.com",
                "api_key_env": "FLEET_UNSET_KEY",
                "deployments": ["d"],
            }
        ],
    )
    assert run_cli("run", "--fleet", str(path)) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {path}: target 'prod' reads its key from $FLEET_UNSET_KEY, which is not set "
        "(or empty); export it before the run\n"
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--target", "https://x.example.com"), "--target does not combine with --fleet; set url"),
        (("--api-key", "k"), "--api-key does not combine with --fleet; set api_key_env"),
        (("--fault", "no-done"), "--fault does not combine with --fleet; set faults"),
        (("--deployment", "d"), "--deployment does not combine with --fleet; set deployments"),
        (("--update-baseline",), "--update-baseline is not supported with --fleet"),
        (("--shard", "0/3"), "--shard '0/3' must be I/N with 1 <= I <= N"),
        (("--workers", "0"), "--workers must be at least 1"),
    ],
)
def test_options_that_do_not_combine_with_fleet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: str
) -> None:
    path = write_fleet(tmp_path / "f.toml", [{"name": "a", "emulator": True}])
    assert run_cli("run", "--fleet", str(path), *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and expected in err and err.count("\n") == 1


@pytest.mark.parametrize("argv", [("--shard", "1/2"), ("--workers", "3")])
def test_fleet_only_options_need_fleet(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    assert run_cli("run", *argv) == 2
    assert "only applies to a fleet run; add --fleet FILE" in capsys.readouterr().err


def test_shards_are_a_balanced_deterministic_partition_of_the_sorted_names() -> None:
    names = [f"t{i:02d}" for i in range(10)][::-1]  # file order does not matter
    shards = [shard_names(names, (i, 3)) for i in (1, 2, 3)]
    assert set().union(*shards) == set(names)
    assert sum(len(s) for s in shards) == 10 and sorted(len(s) for s in shards) == [3, 3, 4]
    assert shards[0] == {"t00", "t03", "t06", "t09"}
    assert shard_names(names, (1, 3)) == shards[0]  # the same on every machine
    assert shard_names(names, None) == set(names)
    assert parse_shard(" 2/3 ") == (2, 3)
    for bad in ("3/2", "0/1", "1", "a/b", "1/0"):
        with pytest.raises(UsageError):
            parse_shard(bad)


def test_the_worst_exit_code_wins() -> None:
    assert worst_exit_code([]) == 0
    assert worst_exit_code([0, 3, 0]) == 3
    assert worst_exit_code([3, 1, 0]) == 1  # a divergence outranks inconclusive, as in one run
    assert worst_exit_code([1, 2]) == 2
    assert worst_exit_code([2, 130, 1]) == 130
