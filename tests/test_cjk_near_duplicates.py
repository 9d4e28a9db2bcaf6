"""Near-duplicates in scripts without spaces (issue 16): Chinese and Japanese with the default ``word:5``.

Without a word segmenter a whole clause used to be one "word", so one changed
character changed every shingle of its clause and near-duplicates were missed.
Runs of these scripts are now split into character bigrams before shingling
(:func:`provenance.scripts.split_spaceless`, the analyzer's fallback).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from provenance.cli import main
from provenance.fastpath import FastConfig, cluster_near_duplicates
from provenance.load import load_corpus
from provenance.pipeline import PipelineConfig, analyze
from provenance.records import AnalysisResult, ClusterKind, Relation
from provenance.scripts import split_spaceless
from provenance.signatures.shingles import ShingleSpec, shingle_hashes, word_tokens

ZH = (
    "据新华社报道，国家统计局今天上午发布最新数据显示，今年前三季度国内生产总值同比增长百分之五点二，"
    "经济运行总体回升向好。其中，第三季度增长百分之四点九，比第二季度有所放缓，但仍高于市场普遍预期。"
    "统计局新闻发言人在记者会上表示，消费对经济增长的贡献率明显提高，服务业持续恢复，"
    "就业形势保持稳定，城镇调查失业率连续三个月下降。"
)
ZH_COPY = (
    ZH.replace("今天上午", "今日上午")
    .replace("五点二", "五点三")
    .replace("明显提高", "显著提高")
    .replace("三个月", "两个月")
)
ZH_OTHER = (
    "本市气象台今天下午发布暴雨蓝色预警信号，预计未来六小时内西部山区将出现大到暴雨，局地伴有雷电和短时大风。"
    "市防汛指挥部要求各区做好地质灾害隐患点巡查，及时转移危险区域群众，地铁和公交部门也已启动应急预案，"
    "提醒市民尽量减少外出，注意出行安全。"
)
JA = (
    "気象庁によりますと、大型の台風十四号は今夜から明日の朝にかけて九州南部に接近し、上陸するおそれがあります。"
    "九州では非常に激しい雨が降り、一時間に八十ミリ以上の猛烈な雨となるところもある見込みです。"
    "気象庁は土砂災害や川の氾濫に厳重に警戒するとともに、早めの避難を心がけるよう呼びかけています。"
)
JA_COPY = JA.replace("今夜から", "今晩から").replace("八十ミリ", "九十ミリ").replace("早めの避難", "早期の避難")
JA_OTHER = (
    "東京証券取引所では今日、半導体関連の銘柄を中心に買い注文が広がり、日経平均株価は三日ぶりに値上がりしました。"
    "市場関係者は、アメリカの長期金利の低下を受けて投資家の警戒感が和らいだと話しています。"
    "一方、円相場は一ドル百五十円台前半で小幅な値動きとなりました。"
)
DOCS = {"zh-a": ZH, "zh-b": ZH_COPY, "zh-c": ZH_OTHER, "ja-a": JA, "ja-b": JA_COPY, "ja-c": JA_OTHER}
EXPECTED_PAIRS = [("ja-a", "ja-b"), ("zh-a", "zh-b")]


def _jaccard(a: str, b: str) -> float:
    spec = ShingleSpec("word", 5)
    x, y = shingle_hashes(a, spec), shingle_hashes(b, spec)
    inter = len(np.intersect1d(x, y))
    return inter / (len(x) + len(y) - inter)


def test_spaceless_runs_become_bigrams() -> None:
    assert word_tokens("东京今天下雨。iPhone手机") == ["东京", "京今", "今天", "天下", "下雨", "iphone", "手机"]
    assert word_tokens("ﾃｽﾄ です") == ["テス", "スト", "です"]  # half-width kana folded, one run per word
    assert word_tokens("的") == ["的"]  # one character stays whole
    assert split_spaceless("Straße München") == "Straße München"  # other scripts untouched
    # a clause is many tokens, not one
    assert len(word_tokens(ZH)) > 100 and len(word_tokens(JA)) > 100


def test_copies_are_over_the_threshold_unrelated_texts_far_below() -> None:
    assert _jaccard(ZH, ZH_COPY) >= 0.5 and _jaccard(JA, JA_COPY) >= 0.5
    for a, b in ((ZH, ZH_OTHER), (JA, JA_OTHER), (ZH, JA), (ZH_COPY, ZH_OTHER)):
        assert _jaccard(a, b) < 0.05


def test_character_shingles_see_the_text_unsplit() -> None:
    spec = ShingleSpec("char", 3)
    assert len(shingle_hashes("东京今天下雨", spec)) == 4  # 6 characters, 4 trigrams


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cjk") / "feed.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for doc_id, text in DOCS.items():
            fh.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
    return path


def _near(result: AnalysisResult) -> tuple[list[tuple[str, str]], list[tuple[str, ...]]]:
    pairs = sorted((p.a, p.b) for p in result.pairs if p.relation is Relation.NEAR_DUPLICATE)
    clusters = sorted(c.members for c in result.clusters if c.kind is ClusterKind.NEAR_DUPLICATE)
    return pairs, clusters


def test_local_pipeline_finds_them(corpus: Path) -> None:
    docs = load_corpus(corpus).documents
    result = analyze(docs, config=PipelineConfig(level="near-duplicate", lineage=False))
    assert _near(result) == (EXPECTED_PAIRS, [("ja-a", "ja-b"), ("zh-a", "zh-b")])


@pytest.mark.parametrize("jobs", [1, 2])
def test_fast_path_finds_them(corpus: Path, jobs: int) -> None:
    result = cluster_near_duplicates(corpus, config=FastConfig(jobs=jobs))
    assert _near(result) == (EXPECTED_PAIRS, [("ja-a", "ja-b"), ("zh-a", "zh-b")])
    assert len(result.pairs) == 2


def test_cli_near_duplicate_level(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cluster", str(corpus), "--level", "near-duplicate", "--format", "json", "-q"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sorted((p["a"], p["b"], p["relation"]) for p in data["pairs"]) == [
        (a, b, "near-duplicate") for a, b in EXPECTED_PAIRS
    ]
