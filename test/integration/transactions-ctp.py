"""Consume-transform-produce with transactions (confluent-kafka), surviving broker restarts.

argv: bootstrap input_topic output_topic group transactional_id expected_count
Reads input read_committed, writes "out:<value>" to output and commits the input offsets in the same
transaction. Broker failures: retriable errors are retried, abortable ones abort and rewind the consumer
to its committed offsets, fatal ones recreate the producer. Prints "committed <n>" after each commit and
"done" when every input record has been transformed in a committed transaction.
"""
import faulthandler
import os
import signal
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

faulthandler.register(signal.SIGUSR1)
bootstrap, src, dst, group, txn_id, expected = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
deadline = time.monotonic() + 140
# metadata.recovery.strategy=none: with one broker, every kill -9 makes librdkafka (>= 2.10) "re-bootstrap" and
# decommission broker 1 while it is still the producer's cached group coordinator; send_offsets_to_transaction
# then never sends its TxnOffsetCommit and ignores its timeout (librdkafka issues #5511 and #5456: the request
# waits for a state change of a broker thread that has terminated). Same against Apache Kafka; not a broker bug.
COMMON = {"bootstrap.servers": bootstrap, "socket.timeout.ms": 5000, "reconnect.backoff.max.ms": 500, "metadata.recovery.strategy": "none"}
# CTP_DEBUG=eos,protocol,... turns on librdkafka's debug contexts for the producer (diagnostics only).
PRODUCER_DEBUG = {"debug": os.environ["CTP_DEBUG"]} if os.environ.get("CTP_DEBUG") else {}


def log(*a):
    print(*a, flush=True)


def new_producer():
    p = Producer({**COMMON, **PRODUCER_DEBUG, "transactional.id": txn_id, "transaction.timeout.ms": 60000, "linger.ms": 5, "message.timeout.ms": 20000})
    while True:
        try:
            p.init_transactions(15)
            return p
        except KafkaException as e:
            log("init_transactions:", e.args[0])
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


consumer = Consumer({**COMMON, "group.id": group, "isolation.level": "read_committed", "enable.auto.commit": False,
                     "auto.offset.reset": "earliest", "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000})
consumer.subscribe([src])
producer = new_producer()


def rewind():
    parts = consumer.assignment()
    if not parts:
        return
    for tp in consumer.committed(parts, timeout=10):
        consumer.seek(TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else 0))


def done_reading():
    parts = consumer.assignment()
    if not parts:
        return False
    total = 0
    for tp in consumer.committed(parts, timeout=10):
        total += max(tp.offset, 0)
    return total >= expected


committed = 0
idle = 0
while time.monotonic() < deadline:
    try:
        msgs = consumer.consume(200, 1.0)
    except KafkaException as e:
        log("consume:", e.args[0])
        continue
    for m in msgs:
        if m.error() is not None:
            log("consume error:", m.error())
    msgs = [m for m in msgs if m.error() is None]
    if not msgs:
        idle += 1
        if idle % 5 == 0:
            try:
                parts = consumer.assignment()
                log("idle: assignment", [(tp.partition) for tp in parts], "positions", [(tp.partition, tp.offset) for tp in consumer.position(parts)],
                    "committed", [(tp.partition, tp.offset) for tp in consumer.committed(parts, timeout=5)])
            except KafkaException as e:
                log("idle diag failed:", e.args[0])
        try:
            if done_reading():
                log("done")
                sys.exit(0)
        except KafkaException as e:
            log("committed():", e.args[0])
        continue
    try:
        producer.begin_transaction()
        for m in msgs:
            while True:
                try:
                    producer.produce(dst, value=b"out:" + m.value(), key=m.key())
                    break
                except BufferError:
                    producer.poll(0.05)
        while True:
            try:
                producer.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 15)
                producer.commit_transaction(20)
                break
            except KafkaException as e:
                err = e.args[0]
                if err.retriable() and time.monotonic() < deadline:
                    log("commit retriable:", err)
                    time.sleep(0.3)
                    continue
                raise
        committed += len(msgs)
        idle = 0
        log("committed", committed)
    except KafkaException as e:
        err = e.args[0]
        log("transaction failed:", err, "abortable" if err.txn_requires_abort() else "", "fatal" if err.fatal() else "")
        if err.fatal():
            producer = new_producer()
        else:
            try:
                producer.abort_transaction(20)
            except KafkaException as e2:
                log("abort failed:", e2.args[0])
                producer = new_producer()
        try:
            rewind()
        except KafkaException as e3:
            log("rewind failed:", e3.args[0])
log("FAIL: deadline")
sys.exit(1)
