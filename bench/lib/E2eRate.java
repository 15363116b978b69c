// Produce→consume latency at a fixed rate, in one JVM (so both ends read the same System.nanoTime clock).
// A producer thread sends `rate` records/s for `seconds`; each value starts with its send time (nanoTime).
// A consumer (assign, no group, starting at the end of the log) receives them and records now - sendTime.
// The rate first ramps up from 0 over `ramp` seconds, and neither the ramp nor the `warmup` seconds after it
// are counted: a fresh JVM spends its first seconds compiling. On this machine this JVM takes 1.2-1.6 cores
// for its first ~11 s and 0.4 afterwards, so with the broker both cores are busy until then and the
// consumer falls behind, whichever the broker; counted, the figures were the client's warm-up.
// `seconds` is the measured window at the full rate (including `warmup`). Prints one JSON line:
//   {"sent":N,"received":N,"counted":N,"p50":ms,"p99":ms,"p999":ms,"max":ms,"achievedRate":r}
// achievedRate is the counted records over the time from the window's start to the last of them.
// With TRACE=<file> in the environment, appends one line per 100 ms in which a record took over 20 ms
// (wall-clock ms, seconds since start, polls, records, the slowest record's latency).
// Usage: java -cp <kafka libs>:<classes> E2eRate <bootstrap> <topic> <rate> <seconds> <recordSize> <acks> [warmupSeconds] [rampSeconds]
import java.time.Duration;
import java.util.*;
import java.util.concurrent.atomic.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.*;

public class E2eRate {
  public static void main(String[] a) throws Exception {
    String bootstrap = a[0], topic = a[1];
    int rate = Integer.parseInt(a[2]);
    double seconds = Double.parseDouble(a[3]);
    int size = Math.max(16, Integer.parseInt(a[4]));
    String acks = a[5];
    double warmup = a.length > 6 ? Double.parseDouble(a[6]) : 1.0;
    double ramp = a.length > 7 ? Double.parseDouble(a[7]) : 0.0;

    Properties cp = new Properties();
    cp.put("bootstrap.servers", bootstrap);
    cp.put("key.deserializer", ByteArrayDeserializer.class.getName());
    cp.put("value.deserializer", ByteArrayDeserializer.class.getName());
    cp.put("enable.auto.commit", "false");
    cp.put("fetch.min.bytes", "1");
    cp.put("fetch.max.wait.ms", "500");
    cp.put("max.poll.records", "10000");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
    List<TopicPartition> parts = new ArrayList<>();
    for (var pi : consumer.partitionsFor(topic)) parts.add(new TopicPartition(topic, pi.partition()));
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    for (TopicPartition tp : parts) consumer.position(tp); // resolve the end offsets now

    Properties pp = new Properties();
    pp.put("bootstrap.servers", bootstrap);
    pp.put("key.serializer", ByteArraySerializer.class.getName());
    pp.put("value.serializer", ByteArraySerializer.class.getName());
    pp.put("acks", acks);
    // linger.ms=1: at thousands of records/s, one request per record costs the client more CPU than a
    // small machine has to spare (the consumer then falls behind and measures the client, not the broker).
    pp.put("linger.ms", System.getProperty("lingerMs", "1"));
    // Left to the client's default (idempotent only with acks=all) unless the run turned it off.
    if ("false".equals(System.getProperty("idempotence"))) pp.put("enable.idempotence", "false");
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp);

    long total = (long) Math.ceil(rate * (seconds + ramp / 2));
    final long rampNs = (long) (ramp * 1e9);
    long warmNs = rampNs + (long) (warmup * 1e9);
    long[] lat = new long[(int) total];
    AtomicInteger nLat = new AtomicInteger();
    AtomicLong received = new AtomicLong();
    AtomicBoolean producing = new AtomicBoolean(true);
    final long start = System.nanoTime();

    // Paced by a 1 ms tick: each tick sends every record due by now (no busy spinning: on a small
    // machine a spinning producer thread would starve the consumer and the broker).
    Thread prod = new Thread(() -> {
      byte[] payload = new byte[size];
      double perNs = rate / 1e9;
      long i = 0;
      while (i < total) {
        long t = System.nanoTime() - start;
        // Records due by t: rate * t^2 / (2 * ramp) while the rate grows linearly, then the full rate.
        double dueExact = t < rampNs ? perNs * ((double) t * t) / (2.0 * rampNs) : perNs * (t - rampNs / 2.0);
        long due = Math.min(total, (long) dueExact + 1);
        for (; i < due; i++) {
          byte[] v = payload.clone();
          long ts = System.nanoTime();
          for (int k = 0; k < 8; k++) v[k] = (byte) (ts >>> (56 - 8 * k));
          producer.send(new ProducerRecord<>(topic, v));
        }
        try { Thread.sleep(1); } catch (InterruptedException e) { return; }
      }
      producer.flush();
      producing.set(false);
    });
    prod.start();

    long lastSeen = System.nanoTime();
    java.io.PrintStream traceOut = System.getenv("TRACE") == null ? null : new java.io.PrintStream(new java.io.FileOutputStream(System.getenv("TRACE"), true), true);
    int traceSec = -1; long tPolls = 0, tRecs = 0, tMax = 0;
    long lastCounted = start + warmNs;
    while (received.get() < total) {
      ConsumerRecords<byte[], byte[]> recs = consumer.poll(Duration.ofMillis(100));
      long now = System.nanoTime();
      if (traceOut != null && !recs.isEmpty()) {
        int sec = (int) ((now - start) / 100_000_000L);
        if (sec != traceSec) { if (traceSec >= 0 && tMax > 20_000_000L) traceOut.printf("wall=%d t=%.1fs polls=%d recs=%d maxLat=%.1fms%n", System.currentTimeMillis(), traceSec / 10.0, tPolls, tRecs, tMax / 1e6); traceSec = sec; tPolls = 0; tRecs = 0; tMax = 0; }
        tPolls++; tRecs += recs.count();
      }
      for (ConsumerRecord<byte[], byte[]> r : recs) {
        byte[] v = r.value();
        long ts = 0;
        for (int k = 0; k < 8; k++) ts = (ts << 8) | (v[k] & 0xff);
        long latency = now - ts;
        tMax = Math.max(tMax, latency);
        received.incrementAndGet();
        if (ts - start >= warmNs) {
          int idx = nLat.getAndIncrement();
          if (idx < lat.length) lat[idx] = latency;
          lastCounted = now;
        }
      }
      if (!recs.isEmpty()) lastSeen = now;
      if (!producing.get() && now - lastSeen > 10_000_000_000L) break; // 10 s with nothing new: give up
    }
    prod.join();
    producer.close();
    consumer.close();
    int n = Math.min(nLat.get(), lat.length);
    long[] s = Arrays.copyOf(lat, n);
    Arrays.sort(s);
    System.out.printf(Locale.ROOT, "{\"sent\":%d,\"received\":%d,\"counted\":%d,\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,\"achievedRate\":%.1f}%n",
        total, received.get(), n, pct(s, 50), pct(s, 99), pct(s, 99.9), n > 0 ? s[n - 1] / 1e6 : Double.NaN, n / Math.max(1e-9, (lastCounted - start - warmNs) / 1e9));
  }

  static double pct(long[] s, double p) {
    if (s.length == 0) return Double.NaN;
    int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
    return s[Math.max(0, Math.min(s.length - 1, i))] / 1e6;
  }
}
