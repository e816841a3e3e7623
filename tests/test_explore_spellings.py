"""The explorer takes the rnn:I-H-O:T and resnet:WxN spellings, as every other command does."""

import json

import pytest

from chainrule.explore import api, work


@pytest.mark.parametrize("arch", ["rnn:1-2-1:3", "resnet:2x3"])
def test_the_api_answers_for_recurrent_and_residual_spellings(arch):
    status, chains = api.run_command(
        "chains", {"arch": [arch], "param": ["U_11" if arch.startswith("rnn") else "W^(1)_11"]}
    )
    assert status == 200, chains
    assert chains[0]["chains"] and all(chain[0]["of"] == "J" for chain in chains[0]["chains"])
    status, layout = api.answer(work.layout, {"arch": [arch]}, None, {})
    assert status == 200 and set(layout["parameters"]) >= {chains[0]["parameter"]}
    status, values = api.answer(work.values, {"arch": [arch]}, None, {})
    assert status == 200 and set(values["nodes"]) >= {chains[0]["parameter"], "J"}


def test_the_static_page_of_an_rnn(run_cli, tmp_path):
    target = tmp_path / "rnn.html"
    status, out, _ = run_cli("explore", "rnn:1-2-1:3", "--html", str(target))
    assert out == f"wrote {target}\n"
    page = target.read_text(encoding="utf-8")
    assert "chainrule explore rnn:1-2-1:3" in page
    inline = page.split('<script id="chainrule-data" type="application/json">', 1)[1]
    state = json.loads(inline.split("</script>", 1)[0])["state"]
    assert state["arch"] == "rnn:1-2-1:3"
