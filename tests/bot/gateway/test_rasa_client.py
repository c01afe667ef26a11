"""Rasa's REST output as patient-visible replies, and the choice among several Rasa servers."""

from __future__ import annotations

import asyncio

import pytest

from bot.gateway.rasa_client import Button, RasaClient, RasaUnavailable, parse_rasa_output
from tests.support.fixtures import CLOSED_PORT_URL
from tests.support.rasa_failures import FailingRasa
from tests.support.rasa_process import RASA_TOKEN


def test_text_parts_split_on_blank_lines_are_merged_back() -> None:
    parsed = parse_rasa_output(
        [
            {"recipient_id": "c-0", "text": "Fever in adults usually passes in 3 days."},
            {"recipient_id": "c-0", "text": "Source: NHS, reviewed 2026-11-20."},
            {"recipient_id": "c-0", "custom": {"rest_point": True, "faq_id": "fever_adults"}},
        ]
    )
    assert [r.text for r in parsed.replies] == [
        "Fever in adults usually passes in 3 days.\n\nSource: NHS, reviewed 2026-11-20."
    ]
    assert parsed.is_rest_point and parsed.faq_ids == ["fever_adults"]
    assert parsed.replies[0].custom == {"rest_point": True, "faq_id": "fever_adults"}


def test_buttons_stay_with_their_text_and_no_custom_means_no_rest_point() -> None:
    parsed = parse_rasa_output(
        [
            {"text": "I can answer that."},
            {
                "text": "Was this helpful?",
                "buttons": [{"title": "Yes", "payload": "/affirm"}, {"payload": "/x"}],
            },
            {"text": "Anything else?"},
        ]
    )
    assert [r.text for r in parsed.replies] == [
        "I can answer that.\n\nWas this helpful?",
        "Anything else?",
    ]
    assert parsed.replies[0].buttons == [Button("Yes", "/affirm")]
    assert not parsed.is_rest_point


def test_an_empty_answer_is_no_reply_and_garbage_is_a_failure() -> None:
    assert parse_rasa_output([]).replies == []
    with pytest.raises(RasaUnavailable):
        parse_rasa_output({"error": "nope"})


async def test_an_idle_gateway_keeps_each_sender_on_one_server_and_moves_on_when_it_is_down(
    mini_rasa_url: str,
) -> None:
    client = RasaClient([CLOSED_PORT_URL, mini_rasa_url], timeout_s=5.0, retries=1, token=RASA_TOKEN)
    try:
        senders = [f"patient-{i}" for i in range(20)]
        homes = {sender: client.server_for(sender) for sender in senders}
        assert homes == {sender: client.server_for(sender) for sender in senders}
        assert set(homes.values()) == {CLOSED_PORT_URL, mini_rasa_url}

        stranded = next(sender for sender in senders if homes[sender] == CLOSED_PORT_URL)
        assert client.server_for(stranded, tried=[CLOSED_PORT_URL]) == mini_rasa_url
        answer = await client.send(stranded, "hello")
        assert answer.replies and answer.replies[0].text
        assert await client.is_up()
    finally:
        await client.aclose()


async def test_a_message_goes_to_the_server_with_fewer_requests_in_flight(
    mini_rasa_url: str,
) -> None:
    # Two names for the one real server: the client counts its requests per URL.
    other_name = mini_rasa_url.replace("127.0.0.1", "localhost")
    client = RasaClient([mini_rasa_url, other_name], timeout_s=10.0, retries=0, token=RASA_TOKEN)
    try:
        senders = [f"patient-{i}" for i in range(20)]
        first = senders[0]
        home = client.server_for(first)
        same_home = next(s for s in senders[1:] if client.server_for(s) == home)

        in_flight = asyncio.create_task(client.send(first, "hello"))
        await asyncio.sleep(0)  # the first request is now on its way to `home`
        assert client.server_for(same_home) != home
        answer = await in_flight
        assert answer.replies
        assert client.server_for(same_home) == home  # idle again: back to its own server
    finally:
        await client.aclose()


async def test_without_retries_a_down_server_is_a_failure_not_a_silence(mini_rasa_url: str) -> None:
    client = RasaClient([CLOSED_PORT_URL, mini_rasa_url], timeout_s=5.0, retries=0, token=RASA_TOKEN)
    try:
        stranded = next(
            f"patient-{i}"
            for i in range(50)
            if client.server_for(f"patient-{i}") == CLOSED_PORT_URL
        )
        with pytest.raises(RasaUnavailable, match="did not answer"):
            await client.send(stranded, "hello")
    finally:
        await client.aclose()


async def test_all_servers_down_is_reported_by_is_up() -> None:
    client = RasaClient([CLOSED_PORT_URL], timeout_s=1.0, retries=0)
    try:
        assert not await client.is_up()
    finally:
        await client.aclose()


async def test_with_every_server_full_messages_wait_their_turn_in_arrival_order(
    mini_rasa_url: str,
) -> None:
    client = RasaClient([mini_rasa_url], timeout_s=10.0, retries=0, max_in_flight=1, token=RASA_TOKEN)
    finished: list[int] = []
    loads: list[dict[str, int]] = []

    async def send(index: int) -> None:
        answer = await client.send(f"queued-{index}", "hello")
        assert answer.replies
        loads.append(client.load())
        finished.append(index)

    try:
        tasks = []
        for index in range(5):
            tasks.append(asyncio.create_task(send(index)))
            await asyncio.sleep(0)  # each request is on its way before the next one starts
        assert client.load() == {mini_rasa_url: 1, "waiting": 4}
        await asyncio.gather(*tasks)
        assert finished == [0, 1, 2, 3, 4]
        assert all(load[mini_rasa_url] <= 1 for load in loads)
        assert client.load() == {mini_rasa_url: 0, "waiting": 0}
    finally:
        await client.aclose()


async def test_a_message_that_gets_no_server_in_time_fails_and_a_cancelled_one_leaves_no_trace() -> (
    None
):
    with FailingRasa("slow", delay_s=0.5) as rasa:
        client = RasaClient([rasa.url], timeout_s=0.8, retries=0, max_in_flight=1)
        try:
            first = asyncio.create_task(client.send("first", "hello"))
            await asyncio.sleep(0.05)
            second = asyncio.create_task(client.send("second", "hello"))
            third = asyncio.create_task(client.send("third", "hello"))
            given_up = asyncio.create_task(client.send("given-up", "hello"))
            await asyncio.sleep(0.05)
            assert client.load() == {rasa.url: 1, "waiting": 3}
            given_up.cancel()
            await asyncio.sleep(0)
            assert client.load()["waiting"] == 2

            # first holds the server 0.5 s, second then another 0.5 s: third's 0.8 s run out.
            assert (await first).replies == []
            assert (await second).replies == []
            with pytest.raises(RasaUnavailable, match="no Rasa server was free"):
                await third
            assert given_up.cancelled()
            assert client.load() == {rasa.url: 0, "waiting": 0}
            assert rasa.requests == 2
        finally:
            await client.aclose()


def test_max_in_flight_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_in_flight"):
        RasaClient(["http://127.0.0.1:5005"], max_in_flight=0)


class FakeClock:
    """An injected monotonic clock: the test moves time on, nothing sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_server_that_refuses_connections_is_set_aside_then_tried_again_later(
    mini_rasa_url: str,
) -> None:
    clock = FakeClock()
    client = RasaClient([CLOSED_PORT_URL, mini_rasa_url], timeout_s=5.0, retries=1, clock=clock, token=RASA_TOKEN)
    try:
        stranded = next(
            f"patient-{i}" for i in range(50) if client.server_for(f"patient-{i}") == CLOSED_PORT_URL
        )
        assert (await client.send(stranded, "hello")).replies  # refused, then answered by the other
        assert client.set_aside() == [CLOSED_PORT_URL]

        # Set aside: without any retry left, the message still gets an answer.
        client.retries = 0
        assert (await client.send(stranded, "hello")).replies
        assert client.server_for(stranded) == mini_rasa_url

        clock.now += 1.01  # the first pause (1 s) is over: the next message may go there again
        assert client.set_aside() == [] and client.server_for(stranded) == CLOSED_PORT_URL
        client.retries = 1
        assert (await client.send(stranded, "hello")).replies
        clock.now += 1.5  # still unreachable: the pause doubled to 2 s
        assert client.set_aside() == [CLOSED_PORT_URL]
        clock.now += 0.6
        assert client.set_aside() == []
    finally:
        await client.aclose()


async def test_with_every_server_set_aside_messages_are_still_tried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    client = RasaClient([CLOSED_PORT_URL], timeout_s=1.0, retries=0, clock=clock)
    try:
        with caplog.at_level("WARNING", logger="bot.gateway.rasa_client"):
            for _ in range(2):
                with pytest.raises(RasaUnavailable, match="did not answer"):
                    await client.send("alone", "hello")
        pauses = [r.getMessage() for r in caplog.records if "set aside" in r.getMessage()]
        assert pauses == [
            f"Rasa server {CLOSED_PORT_URL} unreachable: set aside for 1 s",
            f"Rasa server {CLOSED_PORT_URL} unreachable: set aside for 2 s",
        ]
    finally:
        await client.aclose()
