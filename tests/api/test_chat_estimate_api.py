"""The Chat tab states the measured reply speed (tokens/s on this machine) instead of promising seconds."""

from __future__ import annotations

import re


def test_chat_reply_states_measured_speed(client, tiny_llama):
    result = client.predict("hello", [], [], str(tiny_llama), None, "", "", 0.0, 8, "default",
                            api_name="/chat_send")
    status = str(result[-1])
    assert "Answered by" in status
    match = re.search(r"Measured ([\d.]+) tokens/s: a reply of up to 8 tokens takes about", status)
    assert match and float(match.group(1)) > 0
    assert "in seconds" not in status
