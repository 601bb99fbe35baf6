#!/usr/bin/env python3
"""An OpenAI computer-use agent loop on a deskbox session (Responses API):
every computer_call item the model emits goes to the session as it is; the
reply's computer_call_output item (screenshot, current_url and, after a
reviewer's approval, acknowledged_safety_checks) is the next request's input.

    python3 openai_computer_loop.py SESSION "Type hello into the dialog and press Enter"

needs the `openai` package and OPENAI_API_KEY. `run()` takes the model call
as an argument, so tests replace it with recorded responses.
"""

import sys

import deskbox


def run(session, create_response, task, max_turns=30, on_pending=None):
    """Runs the loop until a response has no computer_call; returns that response.

    `create_response(input, previous_response_id)` returns a Responses API
    response as a dict (`id`, `output` items). A call with
    pending_safety_checks waits for a reviewer (`on_pending(line)` is told);
    a refusal raises deskbox.Refused, since no computer_call_output can say so.
    """
    response = create_response([{"role": "user", "content": task}], None)
    for _ in range(max_turns):
        calls = [item for item in response["output"] if item.get("type") == "computer_call"]
        if not calls:
            return response
        outputs = [session.request(call, on_pending=on_pending)["item"] for call in calls]
        response = create_response(outputs, response["id"])
    raise RuntimeError("the model still wanted the computer after %d turns" % max_turns)


def openai_model(model="computer-use-preview", width=1280, height=800):
    """The real model call (the `openai` SDK), as run() wants it."""
    import openai  # only here: the loop itself needs nothing but the standard library

    client = openai.OpenAI()
    tool = {"type": "computer_use_preview", "display_width": width, "display_height": height, "environment": "linux"}

    def create_response(input_items, previous_response_id):
        extra = {"previous_response_id": previous_response_id} if previous_response_id else {}
        response = client.responses.create(model=model, tools=[tool], input=input_items, truncation="auto", **extra)
        return response.model_dump(exclude_none=True)

    return create_response


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: openai_computer_loop.py SESSION TASK")
    with deskbox.connect(sys.argv[1]) as session:
        print(run(session, openai_model(), sys.argv[2], on_pending=deskbox.print_pending).get("output_text", ""))


if __name__ == "__main__":
    main()
