"""Bad or unusual input: scripts without spaces, symbolic link loops, hidden files, out-of-range
option values, a full disk, foreign attribution cues, packaging metadata."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from provenance.cli import MAX_NUM_PERM, build_parser
from provenance.errors import InputError
from provenance.load import load_corpus
from provenance.normalize import analyzer_for
from provenance.records import Document
from provenance.scoring import weights
from provenance.sources.citations import extract_cited_sources
from tests.test_cli import run

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = sorted(SEEDS.glob("*.txt"))[0]


# --- 1. Chinese, Japanese and other scripts without wordfreq's optional segmenters ------------------

ZH_A = (
    "北京市政府周二宣布，由于暴雨导致河水泛滥，全市三百多户住宅被淹。市长表示已经启动紧急预案，并请求军队派出四十艘救生船。\n"
    "县政府在学校体育馆开设了三个避难所，当晚共安置了一千二百人。气象部门预计周五前还将有八十毫米降雨。\n"
)
ZH_B = (
    "据报道，北京市政府周二宣布，暴雨导致河水泛滥，全市三百多户住宅被淹。市长表示已启动紧急预案，请求军队派出四十艘救生船。\n"
    "县政府在学校体育馆开设了三个避难所，共安置一千二百人。气象部门预计周五前还有八十毫米降雨。\n"
)
JA_A = (
    "東京都は火曜日、大雨により川が氾濫し、三百戸以上の住宅が浸水したと発表した。知事は緊急事態を宣言し、自衛隊に四十隻のボートを要請した。\n"
    "県は学校の体育館に三つの避難所を開設し、一晩で千二百人を収容した。気象庁は金曜日までにさらに八十ミリの雨を予想している。\n"
)
JA_B = (
    "東京都は火曜日、大雨で川が氾濫し、三百戸以上の住宅が浸水したと発表した。知事は緊急事態を宣言し、自衛隊に四十隻のボートを要請したという。\n"
    "県は学校の体育館に三つの避難所を開設し、千二百人を収容した。気象庁は金曜日までにさらに八十ミリの雨を予想している。\n"
)
OTHERS = {
    "ko": "서울시는 화요일 폭우로 강이 범람하여 삼백 채 이상의 주택이 침수되었다고 발표했다. "
    "시장은 비상사태를 선포하고 군에 구명보트 사십 척을 요청했다.\n",
    "ar": "أعلنت الحكومة يوم الثلاثاء أن الأمطار الغزيرة تسببت في فيضان النهر وغرق أكثر من ثلاثمائة منزل في المدينة. "
    "وأعلن رئيس البلدية حالة الطوارئ.\n",
    "th": "รัฐบาลประกาศเมื่อวันอังคารว่าฝนตกหนักทำให้แม่น้ำล้นตลิ่งและบ้านเรือนกว่าสามร้อยหลังถูกน้ำท่วม นายกเทศมนตรีประกาศภาวะฉุกเฉิน\n",
    "hi": "सरकार ने मंगलवार को घोषणा की कि भारी बारिश के कारण नदी में बाढ़ आ गई और शहर में तीन सौ से अधिक घर जलमग्न हो गए। "
    "महापौर ने आपातकाल की घोषणा की।\n",
}


@pytest.fixture
def no_segmenters(monkeypatch: pytest.MonkeyPatch) -> None:
    """wordfreq as on a machine without jieba and MeCab (whatever this one has installed)."""
    import wordfreq
    import wordfreq.tokens

    for name in ("jieba", "MeCab", "wordfreq.chinese", "wordfreq.mecab"):
        monkeypatch.setitem(sys.modules, name, None)  # importing it raises ImportError
    monkeypatch.setattr(wordfreq.tokens, "_jieba_tokenize", None)
    monkeypatch.setattr(wordfreq.tokens, "_mecab_tokenize", None)
    monkeypatch.setattr(wordfreq, "_wf_cache", {})
    monkeypatch.setattr(weights, "_NO_SEGMENTER", set())


@pytest.fixture
def multilingual(tmp_path: Path) -> Path:
    corpus = tmp_path / "multilingual"
    corpus.mkdir()
    texts = {"zh_a": ZH_A, "zh_b": ZH_B, "ja_a": JA_A, "ja_b": JA_B} | OTHERS
    for name, text in texts.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    return corpus


@pytest.mark.usefixtures("no_segmenters")
def test_background_frequency_without_jieba_or_mecab() -> None:
    assert weights.word_probability("北京", "zh") > 1e-5  # a word of the list, looked up as it is
    assert weights.word_probability("政府", "zh") > weights.word_probability("京市", "zh") == 0.0
    assert weights.word_probability("東京", "ja") > 1e-5
    assert weights.word_probability("서울", "ko") > 1e-5
    assert {"zh", "ja", "ko"} <= weights._NO_SEGMENTER
    assert 0.0 < weights.background_doc_probability("的", "zh") <= 1.0


def test_nearest_wordlist_is_used_without_a_warning_on_stderr() -> None:
    # Croatian has no wordfreq list of its own: the Serbo-Croatian one is the intended fallback,
    # which wordfreq announces with a logged warning that reached the terminal under -q.
    code = "from provenance.scoring import weights; print(weights.word_probability('kuća', 'hr') > 0)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"
    assert done.stderr == ""


def test_thai_gets_no_background_and_no_wordfreq_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import wordfreq
    import wordfreq.tokens

    monkeypatch.setattr(wordfreq.tokens, "_WARNED_LANGUAGES", set())
    monkeypatch.setattr(wordfreq, "_wf_cache", {})
    with caplog.at_level(logging.WARNING, logger="wordfreq"):
        assert weights.background_doc_probability("รัฐ", "th") == 0.0
    assert not caplog.records


def test_spaceless_scripts_are_split_in_character_bigrams() -> None:
    assert [t.norm for t in analyzer_for("zh").tokens("北京市政府，由于")] == ["北京", "京市", "市政", "政府", "由于"]
    ja = analyzer_for("ja").tokens("東京都はボート")
    assert [t.norm for t in ja] == ["東京", "京都", "都は", "はボ", "ボー", "ート"]
    assert all(t.stem == t.norm for t in ja)
    assert [t.norm for t in analyzer_for("th").tokens("วันนี้")] == ["วัน", "นนี้"]  # letters keep their marks
    text = "Reuters: 北京 2024"
    assert [text[t.start : t.end] for t in analyzer_for("zh").tokens(text)] == ["Reuters", "北京", "2024"]


def test_combining_marks_stay_in_their_word() -> None:
    hindi = analyzer_for("hi").tokens("सरकार ने मंगलवार को घोषणा की")
    assert [t.norm for t in hindi] == ["सरकार", "ने", "मंगलवार", "को", "घोषणा", "की"]
    assert [t.norm for t in analyzer_for("en").tokens("Cafe\u0301 crème")] == ["café", "crème"]


@pytest.mark.usefixtures("no_segmenters")
@pytest.mark.parametrize("command", ["cluster", "lineage"])
def test_chinese_japanese_and_other_scripts_exit_0(
    command: str, multilingual: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, command, str(multilingual), "--format", "json", "-q")
    assert code == 0, err
    assert "Traceback" not in err and "jieba" not in err and "MeCab" not in err
    data = json.loads(out)
    languages = {d["id"]: d["language"] for d in data["documents"]}
    assert languages == {"zh_a": "zh", "zh_b": "zh", "ja_a": "ja", "ja_b": "ja", **{k: k for k in OTHERS}}
    reused = {
        (p["a"], p["b"])
        for p in data["pairs"]
        if p["relation"] in ("rewrite", "near-duplicate") and not p.get("cross_language")
    }
    assert reused == {("zh_a", "zh_b"), ("ja_a", "ja_b")}  # the same story in other languages is a translation


# --- 2. symbolic link loops ----------------------------------------------------------------------


@pytest.fixture
def with_links(tmp_path: Path) -> Path:
    corpus = tmp_path / "links"
    corpus.mkdir()
    (corpus / "article.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        os.symlink("loop", corpus / "loop")
    except (OSError, NotImplementedError):
        pytest.skip("symbolic links not supported here")
    os.symlink("self.txt", corpus / "self.txt")
    os.symlink("b.txt", corpus / "a.txt")
    os.symlink("a.txt", corpus / "b.txt")
    os.symlink("..", corpus / "parent")
    os.symlink("missing.txt", corpus / "dangling.txt")
    return corpus


def test_symlink_loops_are_skipped_with_a_reason(with_links: Path) -> None:
    corpus = load_corpus(with_links)
    assert [d.id for d in corpus.documents] == ["article"]
    reasons = {Path(s.origin).name: s.reason for s in corpus.skipped}
    assert reasons == {
        "loop": "symbolic link loop",
        "self.txt": "symbolic link loop",
        "a.txt": "symbolic link loop",
        "b.txt": "symbolic link loop",
        "parent": "subdirectory (directories are read non-recursively)",
        "dangling.txt": "broken symbolic link (its target does not exist)",
    }


def test_symlink_loop_as_the_collection_is_an_input_error(with_links: Path) -> None:
    with pytest.raises(InputError, match="symbolic link loop"):
        load_corpus(with_links / "loop")


def test_cli_warns_about_symlink_loops_and_exits_0(with_links: Path, capsys: pytest.CaptureFixture[str]) -> None:
    metadata = with_links / "meta.csv"
    metadata.write_text("id,outlet\narticle,ANSA\n", encoding="utf-8")
    code, _, err = run(capsys, "cluster", str(with_links), "--metadata", str(metadata), "-q")
    assert code == 0, err
    assert f"warning: skipped {with_links / 'loop'}: symbolic link loop" in err.splitlines()
    assert "Traceback" not in err and "RuntimeError" not in err


# --- 3. numeric options ----------------------------------------------------------------------------

BAD_VALUES = {
    "--num-perm": ["0", "-1", "-128", str(10**9), str(MAX_NUM_PERM + 1), "1.5", "many", ""],
    "--threshold": ["0", "-0.5", "1.5", "nan", "inf", "x", ""],
}


def _command_args(command: str, tmp_path: Path) -> list[str]:
    return [command, str(SEEDS), "-q"] + (["-o", str(tmp_path / "r.html")] if command == "report" else [])


@pytest.mark.parametrize("command", ["cluster", "lineage", "report"])
@pytest.mark.parametrize(("option", "value"), [(o, v) for o, vs in BAD_VALUES.items() for v in vs])
def test_out_of_range_numbers_are_usage_errors(
    command: str, option: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *_command_args(command, tmp_path), f"{option}={value}")
    assert code == 2
    assert out == ""
    assert "usage: provenance" in err and f"argument {option}:" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("value", ["1", "128", str(MAX_NUM_PERM)])
def test_num_perm_in_range_is_accepted(value: str) -> None:
    args = build_parser().parse_args(["cluster", str(SEEDS), "--num-perm", value])
    assert args.num_perm == int(value)


def test_every_numeric_option_is_range_checked() -> None:
    """No option of any subcommand takes a bare int or float: each has a type that checks its range."""

    def options(parser: argparse.ArgumentParser, name: str) -> list[tuple[str, argparse.Action]]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    found += options(sub, f"{name} {sub_name}")
            else:
                found.append((name, action))
        return found

    checked = options(build_parser(), "provenance")
    assert {"--num-perm", "--threshold"} <= {o for _, a in checked for o in a.option_strings}
    for name, action in checked:
        assert action.type not in (int, float), f"{name} {action.option_strings}: unchecked {action.type}"


def test_num_perm_1_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "cluster", str(SEEDS), "--num-perm", "1", "-q")
    assert code == 0, err


# --- 4. a full disk ----------------------------------------------------------------------------------

needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")


def _cli(*argv: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "provenance.cli", *argv],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def _assert_one_line_error(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("provenance: error: ") and "No space left on device" in lines[0]


@needs_dev_full
@pytest.mark.parametrize(
    "argv",
    [
        ["cluster", "seeds", "-q"],
        ["lineage", "seeds", "-q", "--format", "json"],
        # the near-duplicate fast path writes its own output (JSON piece by piece)
        *(["cluster", "seeds", "--level", "near-duplicate", "-q", "--format", f] for f in ("table", "json", "csv")),
    ],
)
def test_stdout_on_a_full_disk_is_a_one_line_error(argv: list[str]) -> None:
    with open("/dev/full", "w") as full:
        proc = _cli(*argv, stdout=full)
    _assert_one_line_error(proc)


@needs_dev_full
def test_report_on_a_full_disk_is_a_one_line_error() -> None:
    proc = _cli("report", "seeds", "-q", "-o", "/dev/full")
    _assert_one_line_error(proc)
    assert "/dev/full" in proc.stderr


def test_report_into_a_directory_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", str(SEEDS), "-q", "-o", str(tmp_path))
    assert code == 1
    assert err.startswith("provenance: error: ") and "cannot write the report" in err


def test_closed_pipe_still_exits_0() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "provenance.cli", "cluster", "seeds", "-q", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(1)
    proc.stdout.close()  # like `| head -c1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0, err
    assert err == ""


# --- 5. hidden files -------------------------------------------------------------------------------


def test_hidden_entries_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / ".draft.txt").write_text("not read", encoding="utf-8")
    (tmp_path / ".cache").mkdir()
    reasons = {Path(s.origin).name: s.reason for s in load_corpus(tmp_path).skipped}
    assert reasons == {
        ".draft.txt": "hidden file (name starts with '.')",
        ".cache": "hidden directory (name starts with '.')",
    }
    code, _, err = run(capsys, "cluster", str(tmp_path), "-q")
    assert code == 0
    assert f"warning: skipped {tmp_path / '.draft.txt'}: hidden file (name starts with '.')" in err.splitlines()


def test_many_hidden_entries_are_summarised_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    for i in range(12):
        (tmp_path / f"._a{i:02d}.txt").write_bytes(b"\x00\x05\x16\x07")  # macOS AppleDouble files
    code, _, err = run(capsys, "cluster", str(tmp_path), "-q")
    assert code == 0
    warnings = [line for line in err.splitlines() if line.startswith("warning: skipped")]
    assert warnings == [
        f"warning: skipped {tmp_path / '.*'}: 12 hidden files or directories (names start with '.'): "
        "._a00.txt, ._a01.txt, ._a02.txt and 9 more"
    ]


def test_only_hidden_files_is_an_error_naming_them(tmp_path: Path) -> None:
    (tmp_path / ".a.txt").write_text("testo", encoding="utf-8")
    with pytest.raises(InputError, match=r"no documents found \(1 file skipped: \.a\.txt: hidden file"):
        load_corpus(tmp_path)


# --- 6. German, French and Spanish attribution cues -----------------------------------------------

WSJ = "Wall Street Journal"


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("Musk sprach laut dem Wall Street Journal regelmäßig mit Putin.", "laut"),
        ("Laut Wall Street Journal sprach Musk mit Putin.", "laut"),
        ("Musk sprach mit Putin, berichtet das Wall Street Journal unter Berufung auf Insider.", "berichtet"),
        ("Musk sprach mit Putin, wie das Wall Street Journal berichtete.", "berichtete"),
        ("Dem Wall Street Journal zufolge sprach Musk mit Putin.", "zufolge"),
        ("Nach Angaben des Wall Street Journal sprach Musk mit Putin.", "nach angaben"),
        (
            "Die Zeitung meldet unter Berufung auf das Wall Street Journal, Musk habe mit Putin gesprochen.",
            "unter berufung auf",
        ),
        ("Musk a parlé à Poutine, selon le Wall Street Journal.", "selon"),
        ("D'après le Wall Street Journal, Musk a parlé à Poutine.", "d'après"),
        ("D’après le Wall Street Journal, Musk a parlé à Poutine.", "d'après"),
        ("Musk a parlé à Poutine, rapporte le Wall Street Journal.", "rapporte"),
        ("Le Wall Street Journal rapporte que Musk a parlé à Poutine.", "rapporte"),
        ("Ces propos, cités par le Wall Street Journal, ont été démentis.", "cités par"),
        ("Musk habló con Putin, según el Wall Street Journal.", "según"),
        ("Musk habló con Putin, informa el Wall Street Journal.", "informa"),
        ("El Wall Street Journal informa que Musk habló con Putin.", "informa"),
        ("Musk habló con Putin, de acuerdo con el Wall Street Journal.", "de acuerdo con"),
    ],
)
def test_foreign_cues_credit_the_wsj(text: str, cue: str) -> None:
    found = [(c.name, c.cue) for c in extract_cited_sources(Document(id="x", text=text))]
    assert found == [(WSJ, cue)]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Musk sprach mit Putin, berichtete die Nachrichtenagentur Reuters.", ["Reuters"]),
        ("D’après Reuters, Musk a parlé à Poutine.", ["Reuters"]),
        ("Según Reuters, Musk habló con Putin.", ["Reuters"]),
        ("Musk a parlé à Poutine, ont rapporté Reuters et l'AFP.", ["Reuters", "AFP"]),
        ("Musk habló con Putin, informó la agencia EFE.", ["EFE"]),
    ],
)
def test_foreign_cues_license_one_word_agency_names(text: str, names: list[str]) -> None:
    found = extract_cited_sources(Document(id="x", text=text))
    assert [c.name for c in found] == names
    assert all(c.cue != "mention" for c in found)


# --- 7. packaging metadata ---------------------------------------------------------------------------


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    floors = [
        tuple(int(x) for x in m.group(1).split("."))
        for req in pyproject["build-system"]["requires"]
        if (m := re.fullmatch(r"setuptools\s*>=\s*([\d.]+)", req))
    ]
    assert floors and floors[0] >= (77,)  # setuptools 77: PEP 639 license expressions


# --- 8. make demo says how to run provenance ---------------------------------------------------------


def test_make_demo_tells_how_to_run_provenance() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None
    echoed = " ".join(line for line in recipe.group(1).splitlines() if "echo" in line)
    assert "$(BIN)/provenance" in echoed and "$(BIN)/activate" in echoed
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after_demo = readme.split("make demo", 1)[1][:400]
    assert ".venv/bin/provenance" in after_demo and "source .venv/bin/activate" in after_demo
