#!/usr/bin/env python3
"""Runs an example agent loop against a real, running session, with the model
replaced by recorded responses (fixtures/, shaped as the providers' SDKs
document them), and checks what the loop gave the model back.

    live_examples.py anthropic|openai SESSION

The session (started by tests/integration/python_client_test.cc) shows a
zenity entry with the keyboard on it; the recorded model types a code and
presses Return, and the C++ test checks that zenity printed that code.
DESKBOX_BIN is the deskbox binary, used as the reviewer (`deskbox approve`).
Exits 0 when every check passed; an AssertionError says which did not.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples"))

import deskbox  # noqa: E402  (PYTHONPATH or an installed package)
import anthropic_toolset_loop  # noqa: E402
import openai_computer_loop  # noqa: E402


class RecordedModel:
    """Answers each call with the next recorded response and keeps what it was given."""

    def __init__(self, fixture):
        with open(os.path.join(HERE, "fixtures", fixture), encoding="utf-8") as f:
            self.responses = json.load(f)
        self.received = []

    def __call__(self, *args):
        assert self.responses, "the loop called the model after the last recorded response"
        self.received.append(json.loads(json.dumps(args)))  # a copy: the loop goes on changing its lists
        return self.responses.pop(0)


def check_png(image):
    assert image is not None and image.mime == "image/png", image
    assert image.width > 0 and image.height > 0, image


def anthropic(session_name):
    model = RecordedModel("anthropic_toolset_responses.json")
    with deskbox.connect(session_name) as session:
        messages = anthropic_toolset_loop.run(session, model, "Type PY-TOOLSET-4711 into the dialog and submit it.")
    assert not model.responses, "the loop stopped before the model did"
    # Turn 2: the screenshot's tool_result, an image the model can read.
    (shot,) = model.received[1][0][-1]["content"]
    assert shot["type"] == "tool_result" and shot["tool_use_id"] == "toolu_01Shot", shot
    assert shot["toolset_name"] == "computer" and "is_error" not in shot, shot
    check_png(deskbox.Reply({"tool_result": shot}).image)
    # Turn 3: the malformed member came back as an error result naming the field.
    (bad,) = model.received[2][0][-1]["content"]
    assert bad["tool_use_id"] == "toolu_02Bad" and bad["is_error"] is True, bad
    assert "input.clicks" in bad["content"][0]["text"], bad
    # Turn 4: one result per tool_use block, in order, with the toolset's acknowledgments.
    typed, pressed = model.received[3][0][-1]["content"]
    assert (typed["tool_use_id"], typed["content"]) == ("toolu_03Type", [{"type": "text", "text": "Typed."}]), typed
    assert (pressed["tool_use_id"], pressed["content"]) == ("toolu_04Key", [{"type": "text", "text": "Pressed Return."}])
    # The conversation alternates user / assistant and ends with the model's answer.
    assert [m["role"] for m in messages] == ["user", "assistant"] * 4, [m["role"] for m in messages]
    assert messages[-1]["role"] == "assistant" and messages[-1]["content"][0]["type"] == "text"


def openai(session_name):
    model = RecordedModel("openai_computer_responses.json")
    approvals = []

    def reviewer(line):
        # A real reviewer: `deskbox approve` on the reviewer socket, as an operator would.
        assert line.pending and line["rule"] == "openai:safety_check", line
        approvals.append(line["approval_id"])
        done = subprocess.run([os.environ["DESKBOX_BIN"], "approve", "-s", session_name, line["approval_id"]],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr

    with deskbox.connect(session_name) as session:
        final = openai_computer_loop.run(session, model, "Type PY-OPENAI-2718 and press Enter.", on_pending=reviewer)
    assert final["id"] == "resp_04" and not model.responses, final
    assert len(approvals) == 1, approvals
    first, second, third, fourth = model.received
    assert first == [[{"role": "user", "content": "Type PY-OPENAI-2718 and press Enter."}], None], first
    for (items, previous), call_id, response_id in ((second, "call_01", "resp_01"), (third, "call_02", "resp_02"),
                                                     (fourth, "call_03", "resp_03")):
        assert previous == response_id, (previous, response_id)
        (item,) = items
        assert item["type"] == "computer_call_output" and item["call_id"] == call_id, item
        assert item["output"]["type"] == "computer_screenshot", item
        check_png(deskbox.Reply({"item": item}).image)
    # Exactly the checks the model raised, acknowledged after the reviewer's approval; none elsewhere.
    assert third[0][0]["acknowledged_safety_checks"] == [
        {"id": "cu_sc_01", "code": "malicious_instructions",
         "message": "The screen asks the agent to type a code it was not given."}], third
    assert "acknowledged_safety_checks" not in second[0][0] and "acknowledged_safety_checks" not in fourth[0][0]


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("anthropic", "openai"):
        sys.exit("usage: live_examples.py anthropic|openai SESSION")
    {"anthropic": anthropic, "openai": openai}[sys.argv[1]](sys.argv[2])
    print("live_examples.py %s: all checks passed" % sys.argv[1])
