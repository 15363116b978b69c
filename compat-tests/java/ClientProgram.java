// Java client scenarios for one kafka-clients version (run by client-4x.sh and client-3x.sh as a single-file
// source program: `java -cp <jars> ClientProgram.java`). Environment: BOOTSTRAP, TOPIC, GROUP.
//
//   1. idempotent producer (the default: acks=all, enable.idempotence) -> offsets per partition consecutive,
//      records read back with keys, values, headers at the offsets the producer was told;
//   2. transactional producer: commit, abort, commit with sendOffsetsToTransaction; a read_committed consumer
//      sees only committed records, a read_uncommitted one sees the aborted ones too; the group's offsets
//      committed through the transaction are visible to the admin client;
//   3. fencing: a second producer with the same transactional.id fences the first (ProducerFencedException),
//      whose open transaction is aborted;
//   4. two consumers (one static, group.instance.id) in one group share a 4-partition topic (2 partitions each, disjoint), read every record
//      once, commit; the admin client sees the group's committed offsets.
//
// Prints "ok: ..." per step; on failure one "FAIL: ..." line and exit 1.
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;

public class ClientProgram {
  static final String BOOTSTRAP = env("BOOTSTRAP");
  static final String TOPIC = env("TOPIC");
  static final String GROUP = System.getenv().getOrDefault("GROUP", TOPIC + "-group");

  static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isEmpty()) fail(name + " must be set");
    return v;
  }

  static void fail(String why) {
    System.out.flush();
    System.err.println("FAIL: " + why);
    System.err.flush();
    Runtime.getRuntime().halt(1);
  }

  static void check(boolean ok, String why) {
    if (!ok) fail(why);
  }

  static String step = "setup";

  public static void main(String[] args) throws Exception {
    System.out.println("kafka-clients " + AppInfoParser.getVersion());
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30000))) {
      step = "create topics";
      admin.createTopics(List.of(new NewTopic(TOPIC + "-idem", 3, (short) 1), new NewTopic(TOPIC + "-txn", 2, (short) 1),
          new NewTopic(TOPIC + "-grp", 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
      step = "idempotent producer";
      idempotent();
      step = "transactions";
      transactions(admin);
      step = "fencing";
      fencing();
      step = "consumer group";

      group(admin);
    } catch (Throwable e) {
      Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      e.printStackTrace();
      fail(step + ": " + c.getClass().getName() + ": " + c.getMessage());
    }
    System.out.println("ok: all steps");
    System.exit(0);
  }

  static Properties producerProps() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30000);
    return p;
  }

  static Properties consumerProps(String group, String isolation) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30000);
    if (group != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    return p;
  }

  /** Assign every partition of topic, read from the beginning up to the end offsets seen at the start. */
  static List<ConsumerRecord<String, String>> readAll(String topic, String isolation, int partitions) {
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(null, isolation))) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < partitions; i++) tps.add(new TopicPartition(topic, i));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      List<ConsumerRecord<String, String>> out = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 30000;
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        check(System.currentTimeMillis() < deadline, "reading " + topic + " (" + isolation + "): positions "
            + tps.stream().map(tp -> tp.partition() + "@" + c.position(tp)).collect(Collectors.joining(",")) + " never reached end offsets " + end);
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) out.add(r);
      }
      return out;
    }
  }

  static String header(ConsumerRecord<String, String> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  static void idempotent() throws Exception {
    String topic = TOPIC + "-idem";
    int n = 300;
    Properties p = producerProps(); // defaults: acks=all, enable.idempotence=true
    Map<Integer, RecordMetadata> meta = new HashMap<>();
    try (KafkaProducer<String, String> prod = new KafkaProducer<>(p)) {
      List<Future<RecordMetadata>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ProducerRecord<String, String> r = new ProducerRecord<>(topic, "k" + (i % 10), "v" + i);
        r.headers().add("idx", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        fs.add(prod.send(r));
      }
      prod.flush();
      for (int i = 0; i < n; i++) meta.put(i, fs.get(i).get(30, TimeUnit.SECONDS));
    }
    // Offsets per partition: 0..count-1, each once, in send order.
    Map<Integer, List<Long>> perPart = new TreeMap<>();
    for (int i = 0; i < n; i++) perPart.computeIfAbsent(meta.get(i).partition(), k -> new ArrayList<>()).add(meta.get(i).offset());
    for (Map.Entry<Integer, List<Long>> e : perPart.entrySet())
      for (int j = 0; j < e.getValue().size(); j++)
        check(e.getValue().get(j) == j, "idempotent: partition " + e.getKey() + " send #" + j + " got offset " + e.getValue().get(j));
    check(perPart.size() >= 2, "idempotent: 10 keys all in one partition " + perPart.keySet());
    List<ConsumerRecord<String, String>> recs = readAll(topic, "read_uncommitted", 3);
    check(recs.size() == n, "idempotent: read back " + recs.size() + " of " + n + " records");
    for (ConsumerRecord<String, String> r : recs) {
      String idx = header(r, "idx");
      check(idx != null, "idempotent: record at " + r.partition() + "@" + r.offset() + " has no idx header");
      int i = Integer.parseInt(idx);
      RecordMetadata m = meta.get(i);
      check(("v" + i).equals(r.value()) && ("k" + (i % 10)).equals(r.key()), "idempotent: record " + i + " came back as " + r.key() + "=" + r.value());
      check(m.partition() == r.partition() && m.offset() == r.offset(),
          "idempotent: record " + i + " acked at " + m.partition() + "@" + m.offset() + " but read at " + r.partition() + "@" + r.offset());
      check(r.timestamp() == m.timestamp(), "idempotent: record " + i + " timestamp " + r.timestamp() + " != acked " + m.timestamp());
    }
    System.out.println("ok: idempotent producer: " + n + " records in " + perPart.size() + " partitions, offsets and contents match");
  }

  static void transactions(Admin admin) throws Exception {
    String topic = TOPIC + "-txn";
    String txGroup = GROUP + "-txn";
    Properties p = producerProps();
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TOPIC + "-txid");
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30000);
    try (KafkaProducer<String, String> prod = new KafkaProducer<>(p)) {
      prod.initTransactions();
      prod.beginTransaction();
      for (int i = 0; i < 10; i++) prod.send(new ProducerRecord<>(topic, i % 2, "c", "commit1-" + i));
      prod.commitTransaction();
      prod.beginTransaction();
      for (int i = 0; i < 10; i++) prod.send(new ProducerRecord<>(topic, i % 2, "a", "abort-" + i));
      prod.flush();
      prod.abortTransaction();
      prod.beginTransaction();
      for (int i = 0; i < 5; i++) prod.send(new ProducerRecord<>(topic, i % 2, "c", "commit2-" + i));
      // Consume-transform-produce style: commit a group's offsets inside the transaction.
      prod.sendOffsetsToTransaction(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(7, "txn-meta")),
          new ConsumerGroupMetadata(txGroup));
      prod.commitTransaction();
    }
    List<ConsumerRecord<String, String>> committed = readAll(topic, "read_committed", 2);
    List<String> values = committed.stream().map(ConsumerRecord::value).collect(Collectors.toList());
    check(values.stream().noneMatch(v -> v.startsWith("abort-")), "transactions: read_committed consumer saw aborted records: " + values);
    check(values.size() == 15, "transactions: read_committed consumer saw " + values.size() + " records, expected 15: " + values);
    for (int part = 0; part < 2; part++) {
      final int pp = part;
      List<String> got = committed.stream().filter(r -> r.partition() == pp).map(ConsumerRecord::value).collect(Collectors.toList());
      List<String> want = new ArrayList<>();
      for (int i = 0; i < 10; i++) if (i % 2 == part) want.add("commit1-" + i);
      for (int i = 0; i < 5; i++) if (i % 2 == part) want.add("commit2-" + i);
      check(got.equals(want), "transactions: partition " + part + " read_committed " + got + ", expected " + want);
    }
    List<ConsumerRecord<String, String>> all = readAll(topic, "read_uncommitted", 2);
    long aborted = all.stream().filter(r -> r.value().startsWith("abort-")).count();
    check(all.size() == 25 && aborted == 10, "transactions: read_uncommitted saw " + all.size() + " records (" + aborted + " aborted), expected 25 (10 aborted)");
    // Offsets: each partition has 3 control markers, so the data records do not occupy every offset.
    Map<TopicPartition, OffsetAndMetadata> offs = admin.listConsumerGroupOffsets(txGroup).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    OffsetAndMetadata o = offs.get(new TopicPartition(topic, 0));
    check(o != null && o.offset() == 7 && "txn-meta".equals(o.metadata()), "transactions: offsets committed in the transaction: " + offs);
    System.out.println("ok: transactions: read_committed sees 15 committed, read_uncommitted 25; txn offset commit visible");
  }

  /** A second producer with the same transactional.id fences the first; the fenced transaction is aborted. */
  static void fencing() throws Exception {
    String topic = TOPIC + "-txn";
    Properties p = producerProps();
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TOPIC + "-fence");
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30000);
    KafkaProducer<String, String> a = new KafkaProducer<>(p);
    a.initTransactions();
    a.beginTransaction();
    a.send(new ProducerRecord<>(topic, 0, "f", "fenced-0")).get(30, TimeUnit.SECONDS);
    try (KafkaProducer<String, String> b = new KafkaProducer<>(p)) {
      b.initTransactions(); // bumps the epoch: a's open transaction is aborted
      b.beginTransaction();
      b.send(new ProducerRecord<>(topic, 1, "f", "winner-0"));
      b.commitTransaction();
    }
    Throwable fenced = null;
    try {
      a.send(new ProducerRecord<>(topic, 0, "f", "fenced-1")).get(30, TimeUnit.SECONDS);
      a.commitTransaction();
    } catch (Exception e) {
      fenced = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    } finally {
      a.close(Duration.ofSeconds(5));
    }
    check(fenced != null, "fencing: the old producer committed after a new one with its transactional.id initialized");
    String name = fenced.getClass().getSimpleName();
    check(name.equals("ProducerFencedException") || name.equals("InvalidProducerEpochException"),
        "fencing: old producer failed with " + fenced + ", expected ProducerFencedException");
    List<String> vals = readAll(topic, "read_committed", 2).stream().map(ConsumerRecord::value).collect(Collectors.toList());
    check(vals.contains("winner-0"), "fencing: the new producer's committed record is missing: " + vals);
    check(vals.stream().noneMatch(v -> v.startsWith("fenced-")), "fencing: records of the fenced producer are visible: " + vals);
    System.out.println("ok: fencing: the old producer got " + name + "; its records stay invisible to read_committed");
  }

  static void group(Admin admin) throws Exception {
    String topic = TOPIC + "-grp";
    int n = 200;
    List<Set<TopicPartition>> assigned = List.of(ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
    List<List<ConsumerRecord<String, String>>> got = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
    AtomicBoolean stop = new AtomicBoolean(false);
    AtomicBoolean commitNow = new AtomicBoolean(false);
    CountDownLatch committedLatch = new CountDownLatch(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<?>> fs = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      final int id = c;
      fs.add(pool.submit(() -> {
        Properties cp = consumerProps(GROUP, "read_uncommitted");
        cp.put(ConsumerConfig.CLIENT_ID_CONFIG, TOPIC + "-member-" + id);
        // Member 0 is a static member (KIP-345: JoinGroup v5+ with group.instance.id), member 1 dynamic.
        if (id == 0) cp.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, TOPIC + "-static-0");
        try (KafkaConsumer<String, String> cons = new KafkaConsumer<>(cp)) {
          cons.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            public void onPartitionsRevoked(Collection<TopicPartition> ps) { assigned.get(id).removeAll(ps); }
            public void onPartitionsAssigned(Collection<TopicPartition> ps) { assigned.get(id).addAll(ps); }
          });
          boolean committed = false;
          while (!stop.get()) {
            for (ConsumerRecord<String, String> r : cons.poll(Duration.ofMillis(100))) got.get(id).add(r);
            if (commitNow.get() && !committed) {
              cons.commitSync(Duration.ofSeconds(20));
              committed = true;
              committedLatch.countDown();
            }
          }
        }
        return null;
      }));
    }
    long deadline = System.currentTimeMillis() + 45000;
    while (!(assigned.get(0).size() == 2 && assigned.get(1).size() == 2)) {
      for (Future<?> f : fs) if (f.isDone()) f.get();
      check(System.currentTimeMillis() < deadline, "group: assignments never settled at 2+2 partitions: " + assigned);
      Thread.sleep(100);
    }
    Set<TopicPartition> union = new HashSet<>(assigned.get(0));
    union.addAll(assigned.get(1));
    check(union.size() == 4, "group: assignments overlap or miss partitions: " + assigned);
    try (KafkaProducer<String, String> prod = new KafkaProducer<>(producerProps())) {
      for (int i = 0; i < n; i++) prod.send(new ProducerRecord<>(topic, i % 4, "k" + i, "g" + i));
      prod.flush();
    }
    while (got.get(0).size() + got.get(1).size() < n) {
      for (Future<?> f : fs) if (f.isDone()) f.get();
      check(System.currentTimeMillis() < deadline, "group: consumed " + got.get(0).size() + "+" + got.get(1).size() + " of " + n);
      Thread.sleep(100);
    }
    // Snapshot the assignments now: closing the consumers revokes them.
    List<Set<TopicPartition>> finalAssigned = List.of(new HashSet<>(assigned.get(0)), new HashSet<>(assigned.get(1)));
    commitNow.set(true);
    check(committedLatch.await(30, TimeUnit.SECONDS), "group: commitSync did not finish");
    stop.set(true);
    for (Future<?> f : fs) f.get(30, TimeUnit.SECONDS);
    pool.shutdown();
    Set<String> values = new HashSet<>();
    for (int c = 0; c < 2; c++) {
      for (ConsumerRecord<String, String> r : got.get(c)) {
        check(finalAssigned.get(c).contains(new TopicPartition(r.topic(), r.partition())),
            "group: member " + c + " got a record of partition " + r.partition() + " outside its assignment " + finalAssigned.get(c));
        check(values.add(r.value()), "group: record " + r.value() + " delivered twice");
      }
    }
    check(values.size() == n, "group: " + values.size() + " distinct records of " + n);
    check(!got.get(0).isEmpty() && !got.get(1).isEmpty(), "group: one member got nothing");
    Map<TopicPartition, OffsetAndMetadata> offs = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    long sum = offs.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    check(offs.size() == 4 && sum == n, "group: committed offsets " + offs + " (sum " + sum + "), expected 4 partitions summing to " + n);
    System.out.println("ok: consumer group: 2 members with 2 partitions each read " + n + " records once; offsets committed");
  }
}
