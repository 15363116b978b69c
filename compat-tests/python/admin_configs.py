# AdminClient configs and records: describe_configs (defaults, sources, synonyms), alter_configs and
# incremental_alter_configs (APPEND/SUBTRACT on cleanup.policy, DELETE), Kafka's INVALID_CONFIG for a bad
# value and an unknown name, delete_records moving the low watermark (list_offsets earliest follows)
# and describe_acls without an authorizer (no ACLs).
from confluent_kafka.admin import (AclBindingFilter, AclOperation, AclPermissionType, AlterConfigOpType, ConfigEntry,
                                   ConfigResource, ConfigSource, OffsetSpec, ResourcePatternType, ResourceType)
from _common import *

create_topic(TOPIC, 1)
a = admin()
res = ConfigResource(ConfigResource.Type.TOPIC, TOPIC)


def describe(names=None):
    cfg = a.describe_configs([res], request_timeout=15)[res].result(timeout=20)
    return {k: v for k, v in cfg.items() if names is None or k in names}


cfg = describe()
for name in ("cleanup.policy", "retention.ms", "segment.bytes", "max.message.bytes", "min.insync.replicas",
             "message.timestamp.type", "compression.type", "unclean.leader.election.enable"):
    check(name in cfg, f"{name} missing from describe_configs")
check("message.downconversion.enable" not in cfg, "message.downconversion.enable still described (removed in Kafka 4.0)")
check(cfg["retention.ms"].value == "604800000", f"retention.ms {cfg['retention.ms'].value}")
check(cfg["retention.ms"].source == ConfigSource.DEFAULT_CONFIG.value, f"retention.ms source {cfg['retention.ms'].source}")
check(cfg["cleanup.policy"].value == "delete" and cfg["cleanup.policy"].is_default, f"cleanup.policy {cfg['cleanup.policy']}")
check(cfg["segment.bytes"].value == "1073741824", f"segment.bytes {cfg['segment.bytes'].value}")
syn = cfg["cleanup.policy"].synonyms
check("log.cleanup.policy" in syn and syn["log.cleanup.policy"].value == "delete", f"cleanup.policy synonyms {list(syn)}")

# alter_configs replaces the set of overrides
res.set_config("retention.ms", "3600000")
res.set_config("max.message.bytes", "200000")
a.alter_configs([res], request_timeout=15)[res].result(timeout=20)
cfg = describe()
check(cfg["retention.ms"].value == "3600000" and cfg["retention.ms"].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value,
      f"after alter_configs retention.ms {cfg['retention.ms'].value} source {cfg['retention.ms'].source}")
check(cfg["max.message.bytes"].value == "200000", f"max.message.bytes {cfg['max.message.bytes'].value}")

# incremental: APPEND / SUBTRACT on a list config, DELETE back to the default
def incremental(*entries):
    r = ConfigResource(ConfigResource.Type.TOPIC, TOPIC, incremental_configs=list(entries))
    return a.incremental_alter_configs([r], request_timeout=15)[r].result(timeout=20)


incremental(ConfigEntry("cleanup.policy", "compact", incremental_operation=AlterConfigOpType.APPEND))
check(describe()["cleanup.policy"].value == "delete,compact", f"after APPEND {describe()['cleanup.policy'].value}")
incremental(ConfigEntry("cleanup.policy", "delete", incremental_operation=AlterConfigOpType.SUBTRACT))
check(describe()["cleanup.policy"].value == "compact", f"after SUBTRACT {describe()['cleanup.policy'].value}")
incremental(ConfigEntry("cleanup.policy", None, incremental_operation=AlterConfigOpType.DELETE),
            ConfigEntry("retention.ms", None, incremental_operation=AlterConfigOpType.DELETE))
cfg = describe()
check(cfg["cleanup.policy"].value == "delete" and cfg["retention.ms"].value == "604800000", "DELETE did not restore the defaults")
check(cfg["max.message.bytes"].value == "200000", "incremental DELETE touched another config")

for entry, what in ((ConfigEntry("retention.ms", "soon", incremental_operation=AlterConfigOpType.SET), "bad value"),
                    (ConfigEntry("no.such.config", "1", incremental_operation=AlterConfigOpType.SET), "unknown name"),
                    (ConfigEntry("retention.ms", "1", incremental_operation=AlterConfigOpType.APPEND), "APPEND to a non-list")):
    try:
        incremental(entry)
        fail(f"{what} accepted")
    except KafkaException as e:
        check(e.args[0].code() == KafkaError.INVALID_CONFIG, f"{what}: {e.args[0]}")

# delete_records moves the low watermark
produce_all(messages(20, "dr"), topic=TOPIC)
tp = TopicPartition(TOPIC, 0, 7)
deleted = a.delete_records([tp], request_timeout=15)[tp].result(timeout=20)
check(deleted.low_watermark == 7, f"delete_records low watermark {deleted.low_watermark}")
tp0 = TopicPartition(TOPIC, 0)
earliest = a.list_offsets({tp0: OffsetSpec.earliest()}, request_timeout=15)[tp0].result(timeout=20)
check(earliest.offset == 7, f"earliest offset after delete_records {earliest.offset}")
tp = TopicPartition(TOPIC, 0, 100)
try:
    a.delete_records([tp], request_timeout=15)[tp].result(timeout=20)
    fail("delete_records beyond the high watermark accepted")
except KafkaException as e:
    check(e.args[0].code() == KafkaError.OFFSET_OUT_OF_RANGE, f"beyond the high watermark: {e.args[0]}")

# ACLs without an authorizer: Kafka answers SECURITY_DISABLED, which librdkafka reports as no ACLs
acl_filter = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY, AclPermissionType.ANY)
acls = a.describe_acls(acl_filter, request_timeout=15).result(timeout=20)
check(acls == [], f"describe_acls without an authorizer: {acls}")
print("ok: describe/alter/incremental configs, invalid values, delete_records, acls")
