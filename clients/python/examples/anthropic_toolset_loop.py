#!/usr/bin/env python3
"""A Claude agent loop on a deskbox session, with the computer toolset
(computer_toolset_20260801): every tool_use block the model emits goes to the
session as it is; the reply's tool_result goes back in the next user message.

    python3 anthropic_toolset_loop.py SESSION "Type hello into the dialog and press Enter"

needs the `anthropic` package and ANTHROPIC_API_KEY. `run()` takes the model
call as an argument, so tests replace it with recorded responses.
"""

import sys

import deskbox


def run(session, create_message, task, max_turns=30, on_pending=None):
    """Runs the loop until the model stops asking for tools; returns the conversation.

    `create_message(messages)` returns a Messages API response as a dict
    (`content` blocks and `stop_reason`); `on_pending(line)` is told when a
    reviewer has to approve an action.
    """
    messages = [{"role": "user", "content": task}]
    for _ in range(max_turns):
        response = create_message(messages)
        messages.append({"role": "assistant", "content": response["content"]})
        tool_uses = [block for block in response["content"] if block.get("type") == "tool_use"]
        if response.get("stop_reason") != "tool_use" or not tool_uses:
            return messages
        results = []
        for block in tool_uses:
            # check=False: an error reply still carries the tool_result (is_error) the model must see.
            reply = session.request(block, on_pending=on_pending, check=False)
            if "tool_result" not in reply:
                raise deskbox.ActionError(reply)  # not a toolset block: a bug in the loop, not the model's
            results.append(reply["tool_result"])
        messages.append({"role": "user", "content": results})
    raise RuntimeError("the model still wanted tools after %d turns" % max_turns)


def anthropic_model(model="claude-opus-5"):
    """The real model call (the `anthropic` SDK), as run() wants it."""
    import anthropic  # only here: the loop itself needs nothing but the standard library

    client = anthropic.Anthropic()

    def create_message(messages):
        response = client.messages.create(model=model, max_tokens=4096, messages=messages,
                                          tools=[{"type": "computer_toolset_20260801"}])
        return response.model_dump(exclude_none=True)

    return create_message


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: anthropic_toolset_loop.py SESSION TASK")
    with deskbox.connect(sys.argv[1]) as session:
        answer = run(session, anthropic_model(), sys.argv[2], on_pending=deskbox.print_pending)[-1]
    print("\n".join(block["text"] for block in answer["content"] if block.get("type") == "text"))


if __name__ == "__main__":
    main()
