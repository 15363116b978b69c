// franz-go compatibility scenarios (kgo + kadm). Built once by _lib.sh into compat-tests/.cache/go/compat-go;
// each scenario script runs one subcommand. Environment: BOOTSTRAP, TOPIC, GROUP (from the runner).
//
//	compat-go produce-consume <none|gzip|snappy|lz4|zstd>
//	compat-go group
//	compat-go txn
//	compat-go admin
//	compat-go eos
//
// Prints "ok: ..." lines; on failure one "FAIL: ..." line and exit 1.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var (
	bootstrap = os.Getenv("BOOTSTRAP")
	topic     = os.Getenv("TOPIC")
	group     = os.Getenv("GROUP")
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func check(ok bool, format string, args ...any) {
	if !ok {
		fail(format, args...)
	}
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func newClient(opts ...kgo.Opt) *kgo.Client {
	base := []kgo.Opt{kgo.SeedBrokers(bootstrap), kgo.RequestTimeoutOverhead(10 * time.Second), kgo.RecordRetries(20)}
	cl, err := kgo.NewClient(append(base, opts...)...)
	must(err, "kgo.NewClient")
	return cl
}

func ctxFor(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	time.AfterFunc(d, cancel)
	return ctx
}

func createTopic(adm *kadm.Client, name string, partitions int32, configs map[string]*string) {
	resp, err := adm.CreateTopics(ctxFor(30*time.Second), partitions, 1, configs, name)
	must(err, "CreateTopics "+name)
	must(resp.Error(), "CreateTopics "+name)
}

func main() {
	check(bootstrap != "" && topic != "", "BOOTSTRAP and TOPIC must be set")
	if group == "" {
		group = topic + "-group"
	}
	if len(os.Args) < 2 {
		fail("usage: compat-go produce-consume CODEC | group | txn | admin")
	}
	switch os.Args[1] {
	case "produce-consume":
		check(len(os.Args) == 3, "produce-consume needs a codec")
		produceConsume(os.Args[2])
	case "group":
		groupScenario()
	case "txn":
		txnScenario()
	case "admin":
		adminScenario()
	case "eos":
		eosScenario()
	default:
		fail("unknown subcommand %q", os.Args[1])
	}
}

var codecs = map[string]kgo.CompressionCodec{
	"none":   kgo.NoCompression(),
	"gzip":   kgo.GzipCompression(),
	"snappy": kgo.SnappyCompression(),
	"lz4":    kgo.Lz4Compression(),
	"zstd":   kgo.ZstdCompression(),
}

// readPartitions consumes topic partitions from the start (direct assignment, no group) until it holds want
// records or the deadline passes.
func readPartitions(name string, partitions int32, want int, opts ...kgo.Opt) []*kgo.Record {
	offs := map[int32]kgo.Offset{}
	for p := int32(0); p < partitions; p++ {
		offs[p] = kgo.NewOffset().AtStart()
	}
	cl := newClient(append([]kgo.Opt{kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{name: offs}), kgo.FetchMaxWait(500 * time.Millisecond)}, opts...)...)
	defer cl.Close()
	var out []*kgo.Record
	deadline := time.Now().Add(30 * time.Second)
	for len(out) < want && time.Now().Before(deadline) {
		fs := cl.PollFetches(ctxFor(2 * time.Second))
		fs.EachError(func(t string, p int32, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				fail("fetch %s[%d]: %v", t, p, err)
			}
		})
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	return out
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func produceConsume(codec string) {
	cc, ok := codecs[codec]
	check(ok, "unknown codec %q", codec)
	adm := kadm.NewClient(newClient())
	createTopic(adm, topic, 3, nil)
	n := 2000
	prod := newClient(kgo.ProducerBatchCompression(cc), kgo.ProducerLinger(5*time.Millisecond), kgo.DefaultProduceTopic(topic))
	recs := make([]*kgo.Record, n)
	pad := strings.Repeat("compressible-", 10)
	for i := range recs {
		recs[i] = &kgo.Record{
			Key:     []byte("k" + strconv.Itoa(i%13)),
			Value:   []byte(fmt.Sprintf("%s-%05d-%s", codec, i, pad)),
			Headers: []kgo.RecordHeader{{Key: "idx", Value: []byte(strconv.Itoa(i))}, {Key: "codec", Value: []byte(codec)}},
		}
	}
	res := prod.ProduceSync(ctxFor(60*time.Second), recs...)
	must(res.FirstErr(), "ProduceSync ("+codec+")")
	prod.Close()
	acked := map[int]*kgo.Record{}
	perPart := map[int32][]int64{}
	for _, r := range res { // results come in completion order: match them by the idx header
		i, _ := strconv.Atoi(header(r.Record, "idx"))
		acked[i] = r.Record
		perPart[r.Record.Partition] = append(perPart[r.Record.Partition], r.Record.Offset)
	}
	check(len(perPart) >= 2, "13 keys all went to one partition")
	for p, offs := range perPart {
		for j, o := range offs {
			check(o == int64(j), "partition %d: record #%d acked at offset %d", p, j, o)
		}
	}
	got := readPartitions(topic, 3, n)
	check(len(got) == n, "%s: read %d of %d records", codec, len(got), n)
	seen := map[int]bool{}
	for _, r := range got {
		i, err := strconv.Atoi(header(r, "idx"))
		check(err == nil, "record %d@%d has no idx header", r.Partition, r.Offset)
		check(!seen[i], "record %d read twice", i)
		seen[i] = true
		a := acked[i]
		check(a.Partition == r.Partition && a.Offset == r.Offset, "record %d acked at %d@%d, read at %d@%d", i, a.Partition, a.Offset, r.Partition, r.Offset)
		check(string(r.Key) == string(a.Key) && string(r.Value) == string(a.Value), "record %d: key/value differ: %q=%q", i, r.Key, r.Value)
		check(header(r, "codec") == codec, "record %d: codec header %q", i, header(r, "codec"))
		check(r.Timestamp.UnixMilli() == a.Timestamp.UnixMilli(), "record %d: timestamp %v, acked %v", i, r.Timestamp, a.Timestamp)
	}
	// The end offsets the admin client lists match what was produced.
	ends, err := adm.ListEndOffsets(ctxFor(20*time.Second), topic)
	must(err, "ListEndOffsets")
	must(ends.Error(), "ListEndOffsets")
	for p, offs := range perPart {
		lo, _ := ends.Lookup(topic, p)
		check(lo.Offset == int64(len(offs)), "partition %d: end offset %d, produced %d", p, lo.Offset, len(offs))
	}
	fmt.Printf("ok: %d records with %s in %d partitions: offsets, keys, values, headers, timestamps match\n", n, codec, len(perPart))
}

func groupScenario() {
	adm := kadm.NewClient(newClient())
	createTopic(adm, topic, 4, nil)
	n := 400
	type member struct {
		mu       sync.Mutex
		assigned map[int32]bool
		got      []*kgo.Record
		cl       *kgo.Client
	}
	members := []*member{{assigned: map[int32]bool{}}, {assigned: map[int32]bool{}}}
	for i, m := range members {
		m := m
		upd := func(add bool) func(context.Context, *kgo.Client, map[string][]int32) {
			return func(_ context.Context, _ *kgo.Client, ps map[string][]int32) {
				m.mu.Lock()
				defer m.mu.Unlock()
				for _, p := range ps[topic] {
					if add {
						m.assigned[p] = true
					} else {
						delete(m.assigned, p)
					}
				}
			}
		}
		m.cl = newClient(kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic), kgo.DisableAutoCommit(),
			kgo.ClientID(fmt.Sprintf("%s-member-%d", topic, i)), kgo.FetchMaxWait(300*time.Millisecond),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			kgo.OnPartitionsAssigned(upd(true)), kgo.OnPartitionsRevoked(upd(false)), kgo.OnPartitionsLost(upd(false)))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, m := range members {
		m := m
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				fs := m.cl.PollFetches(ctxFor(500 * time.Millisecond))
				fs.EachRecord(func(r *kgo.Record) {
					m.mu.Lock()
					m.got = append(m.got, r)
					m.mu.Unlock()
				})
			}
		}()
	}
	snapshot := func() (a [2][]int32, got [2]int) {
		for i, m := range members {
			m.mu.Lock()
			for p := range m.assigned {
				a[i] = append(a[i], p)
			}
			sort.Slice(a[i], func(x, y int) bool { return a[i][x] < a[i][y] })
			got[i] = len(m.got)
			m.mu.Unlock()
		}
		return
	}
	deadline := time.Now().Add(45 * time.Second)
	for {
		a, _ := snapshot()
		if len(a[0]) == 2 && len(a[1]) == 2 {
			break
		}
		check(time.Now().Before(deadline), "assignments never settled at 2+2 partitions: %v", a)
		time.Sleep(100 * time.Millisecond)
	}
	final, _ := snapshot()
	union := map[int32]bool{}
	for _, ps := range final {
		for _, p := range ps {
			union[p] = true
		}
	}
	check(len(union) == 4, "assignments overlap or miss partitions: %v", final)
	prod := newClient(kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(topic))
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Partition: int32(i % 4), Value: []byte(fmt.Sprintf("g%d", i))}
	}
	must(prod.ProduceSync(ctxFor(30*time.Second), recs...).FirstErr(), "ProduceSync")
	prod.Close()
	for {
		_, got := snapshot()
		if got[0]+got[1] >= n {
			break
		}
		check(time.Now().Before(deadline), "consumed %d+%d of %d", got[0], got[1], n)
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	seen := map[string]bool{}
	for i, m := range members {
		mine := map[int32]bool{}
		for _, p := range final[i] {
			mine[p] = true
		}
		for _, r := range m.got {
			check(mine[r.Partition], "member %d got partition %d outside its assignment %v", i, r.Partition, final[i])
			check(!seen[string(r.Value)], "record %s delivered twice", r.Value)
			seen[string(r.Value)] = true
		}
		check(len(m.got) > 0, "member %d got nothing", i)
		must(m.cl.CommitUncommittedOffsets(ctxFor(20*time.Second)), fmt.Sprintf("member %d commit", i))
	}
	check(len(seen) == n, "%d distinct records of %d", len(seen), n)
	// While both are in the group: DescribeGroups shows two members, Stable, consumer protocol.
	dg, err := adm.DescribeGroups(ctxFor(20*time.Second), group)
	must(err, "DescribeGroups")
	d := dg[group]
	must(d.Err, "DescribeGroups "+group)
	check(d.State == "Stable" && len(d.Members) == 2 && d.ProtocolType == "consumer", "DescribeGroups: state %q, %d members, protocol type %q", d.State, len(d.Members), d.ProtocolType)
	for _, m := range members {
		m.cl.Close() // leaves the group
	}
	offs, err := adm.FetchOffsets(ctxFor(20*time.Second), group)
	must(err, "FetchOffsets")
	must(offs.Error(), "FetchOffsets")
	var sum int64
	parts := 0
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topic {
			sum += o.At
			parts++
		}
	})
	check(parts == 4 && sum == int64(n), "committed offsets: %d partitions summing to %d, expected 4 summing to %d", parts, sum, n)
	fmt.Printf("ok: group of 2 members (2+2 partitions) read %d records once, committed, described Stable\n", n)
}

func txnScenario() {
	adm := kadm.NewClient(newClient())
	createTopic(adm, topic, 2, nil)
	prod := newClient(kgo.TransactionalID(topic+"-txid"), kgo.TransactionTimeout(30*time.Second),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(topic))
	defer prod.Close()
	txn := func(prefix string, count int, commit kgo.TransactionEndTry) {
		must(prod.BeginTransaction(), "BeginTransaction "+prefix)
		recs := make([]*kgo.Record, count)
		for i := range recs {
			recs[i] = &kgo.Record{Partition: int32(i % 2), Value: []byte(fmt.Sprintf("%s-%d", prefix, i))}
		}
		must(prod.ProduceSync(ctxFor(30*time.Second), recs...).FirstErr(), "produce in transaction "+prefix)
		must(prod.EndTransaction(ctxFor(30*time.Second), commit), "EndTransaction "+prefix)
	}
	txn("commit1", 10, kgo.TryCommit)
	txn("abort", 10, kgo.TryAbort)
	txn("commit2", 6, kgo.TryCommit)

	committed := readPartitions(topic, 2, 16, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	var vals []string
	for _, r := range committed {
		vals = append(vals, string(r.Value))
		check(!strings.HasPrefix(string(r.Value), "abort-"), "read_committed saw aborted record %s", r.Value)
	}
	check(len(vals) == 16, "read_committed saw %d records, expected 16: %v", len(vals), vals)
	for p := int32(0); p < 2; p++ {
		var got, want []string
		for _, r := range committed {
			if r.Partition == p {
				got = append(got, string(r.Value))
			}
		}
		for i := int(p); i < 10; i += 2 {
			want = append(want, fmt.Sprintf("commit1-%d", i))
		}
		for i := int(p); i < 6; i += 2 {
			want = append(want, fmt.Sprintf("commit2-%d", i))
		}
		check(strings.Join(got, ",") == strings.Join(want, ","), "partition %d read_committed %v, expected %v", p, got, want)
	}
	all := readPartitions(topic, 2, 26)
	aborted := 0
	for _, r := range all {
		if strings.HasPrefix(string(r.Value), "abort-") {
			aborted++
		}
	}
	check(len(all) == 26 && aborted == 10, "read_uncommitted saw %d records (%d aborted), expected 26 (10 aborted)", len(all), aborted)
	// Each partition: 5+5+3 data records + 3 control markers = 16 offsets.
	ends, err := adm.ListEndOffsets(ctxFor(20*time.Second), topic)
	must(err, "ListEndOffsets")
	for p := int32(0); p < 2; p++ {
		lo, _ := ends.Lookup(topic, p)
		check(lo.Offset == 16, "partition %d end offset %d, expected 16 (13 records + 3 markers)", p, lo.Offset)
	}
	fmt.Println("ok: transactions: commit/abort/commit; read_committed sees 16, read_uncommitted 26; end offsets count markers")
}

func adminScenario() {
	adm := kadm.NewClient(newClient())
	retention := "3600000"
	createTopic(adm, topic, 3, map[string]*string{"retention.ms": &retention})
	createTopic(adm, topic+"-b", 1, nil)
	// A second create is refused with TOPIC_ALREADY_EXISTS.
	resp, err := adm.CreateTopics(ctxFor(20*time.Second), 1, 1, nil, topic)
	must(err, "CreateTopics (duplicate)")
	check(errors.Is(resp.Error(), kerr.TopicAlreadyExists), "duplicate CreateTopics: %v", resp.Error())

	// Metadata follows CreateTopics asynchronously in Kafka: retry for a while.
	var tds kadm.TopicDetails
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		tds, err = adm.ListTopics(ctxFor(20 * time.Second))
		must(err, "ListTopics")
		if tds.Has(topic) && tds.Has(topic+"-b") && tds[topic].Err == nil && len(tds[topic].Partitions) == 3 {
			break
		}
		check(time.Now().Before(deadline), "ListTopics lacks %s or %s-b", topic, topic)
	}
	td := tds[topic]
	must(td.Err, "topic detail")
	check(len(td.Partitions) == 3, "%s has %d partitions", topic, len(td.Partitions))
	check(td.ID != (kadm.TopicID{}), "%s has a zero topic id", topic)
	check(!td.IsInternal, "%s is internal", topic)
	for _, pd := range td.Partitions.Sorted() {
		check(pd.Err == nil && pd.Leader >= 0 && len(pd.Replicas) == 1 && len(pd.ISR) == 1 && pd.Replicas[0] == pd.Leader,
			"partition %d: leader %d replicas %v isr %v err %v", pd.Partition, pd.Leader, pd.Replicas, pd.ISR, pd.Err)
	}

	rcs, err := adm.DescribeTopicConfigs(ctxFor(20*time.Second), topic)
	must(err, "DescribeTopicConfigs")
	rc, err := rcs.On(topic, nil)
	must(err, "DescribeTopicConfigs "+topic)
	must(rc.Err, "DescribeTopicConfigs "+topic)
	cfg := map[string]kadm.Config{}
	for _, c := range rc.Configs {
		cfg[c.Key] = c
	}
	r := cfg["retention.ms"]
	check(r.MaybeValue() == retention && r.Source == kmsg.ConfigSourceDynamicTopicConfig, "retention.ms = %q source %v", r.MaybeValue(), r.Source)
	cp := cfg["cleanup.policy"]
	check(cp.MaybeValue() == "delete" && cp.Source == kmsg.ConfigSourceDefaultConfig, "cleanup.policy = %q source %v", cp.MaybeValue(), cp.Source)
	check(len(rc.Configs) >= 25, "only %d topic configs described", len(rc.Configs))

	// Produce to get offsets, then list start/end/by-time offsets.
	prod := newClient(kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(topic))
	before := time.Now().Add(-time.Second)
	var recs []*kgo.Record
	for i := 0; i < 9; i++ {
		recs = append(recs, &kgo.Record{Partition: int32(i % 3), Value: []byte("x")})
	}
	recs = append(recs, &kgo.Record{Partition: 0, Value: []byte("extra")})
	must(prod.ProduceSync(ctxFor(30*time.Second), recs...).FirstErr(), "ProduceSync")
	prod.Close()
	starts, err := adm.ListStartOffsets(ctxFor(20*time.Second), topic)
	must(err, "ListStartOffsets")
	must(starts.Error(), "ListStartOffsets")
	ends, err := adm.ListEndOffsets(ctxFor(20*time.Second), topic)
	must(err, "ListEndOffsets")
	must(ends.Error(), "ListEndOffsets")
	after, err := adm.ListOffsetsAfterMilli(ctxFor(20*time.Second), before.UnixMilli(), topic)
	must(err, "ListOffsetsAfterMilli")
	must(after.Error(), "ListOffsetsAfterMilli")
	for p, want := range []int64{4, 3, 3} {
		s, _ := starts.Lookup(topic, int32(p))
		e, _ := ends.Lookup(topic, int32(p))
		a, _ := after.Lookup(topic, int32(p))
		check(s.Offset == 0 && e.Offset == want && a.Offset == 0, "partition %d: start %d end %d after-time %d, expected 0 %d 0", p, s.Offset, e.Offset, a.Offset, want)
	}

	// ListOffsets with timestamp -3 (KIP-734, max timestamp): one batch whose timestamps are not in offset
	// order; the answer is the first record carrying the largest timestamp.
	createTopic(adm, topic+"-ts", 1, nil)
	tsProd := newClient(kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(topic+"-ts"), kgo.ProducerLinger(50*time.Millisecond))
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	var tsRecs []*kgo.Record
	for _, d := range []int{1, 5, 3, 5, 2} {
		tsRecs = append(tsRecs, &kgo.Record{Value: []byte("ts"), Timestamp: base.Add(time.Duration(d) * time.Second)})
	}
	must(tsProd.ProduceSync(ctxFor(30*time.Second), tsRecs...).FirstErr(), "ProduceSync (timestamps)")
	req := kmsg.NewPtrListOffsetsRequest()
	lt := kmsg.NewListOffsetsRequestTopic()
	lt.Topic = topic + "-ts"
	lp := kmsg.NewListOffsetsRequestTopicPartition()
	lp.Partition = 0
	lp.Timestamp = -3
	lt.Partitions = append(lt.Partitions, lp)
	req.Topics = append(req.Topics, lt)
	lresp, err := req.RequestWith(ctxFor(20*time.Second), tsProd)
	must(err, "ListOffsets max timestamp")
	mp := lresp.Topics[0].Partitions[0]
	check(mp.ErrorCode == 0 && mp.Offset == 1 && mp.Timestamp == base.Add(5*time.Second).UnixMilli(),
		"ListOffsets(-3, max timestamp): error %d offset %d timestamp %d, expected offset 1 timestamp %d", mp.ErrorCode, mp.Offset, mp.Timestamp, base.Add(5*time.Second).UnixMilli())
	// By time: the first offset whose timestamp is >= base+2.5s is offset 1 (the log is not sorted by time).
	byTime, err := adm.ListOffsetsAfterMilli(ctxFor(20*time.Second), base.Add(2500*time.Millisecond).UnixMilli(), topic+"-ts")
	must(err, "ListOffsetsAfterMilli (-ts)")
	bt, _ := byTime.Lookup(topic+"-ts", 0)
	check(bt.Err == nil && bt.Offset == 1, "ListOffsets(base+2.5s): offset %d err %v, expected 1", bt.Offset, bt.Err)
	tsProd.Close()

	// A committed group shows in ListGroups.
	cl := newClient(kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic), kgo.DisableAutoCommit(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	got := 0
	deadline := time.Now().Add(30 * time.Second)
	for got < 10 && time.Now().Before(deadline) {
		fs := cl.PollFetches(ctxFor(2 * time.Second))
		got += fs.NumRecords()
	}
	check(got == 10, "group consumer read %d of 10", got)
	must(cl.CommitUncommittedOffsets(ctxFor(20*time.Second)), "commit")
	lg, err := adm.ListGroups(ctxFor(20 * time.Second))
	must(err, "ListGroups")
	g, ok := lg[group]
	check(ok, "ListGroups lacks %s (has %v)", group, lg.Groups())
	check(g.ProtocolType == "consumer" && g.State == "Stable", "ListGroups: %s protocol type %q state %q", group, g.ProtocolType, g.State)
	cl.Close()

	dr, err := adm.DeleteTopics(ctxFor(20*time.Second), topic+"-b")
	must(err, "DeleteTopics")
	must(dr.Error(), "DeleteTopics")
	fmt.Println("ok: admin: create (dup refused), list, describe configs, list start/end/time offsets, list groups, delete")
}

// eosScenario: consume-transform-produce with kgo.GroupTransactSession: the group's offsets are committed
// inside each transaction (TxnOffsetCommit with the member's generation), the output is read_committed.
func eosScenario() {
	in, out := topic+"-in", topic+"-out"
	adm := kadm.NewClient(newClient())
	createTopic(adm, in, 2, nil)
	createTopic(adm, out, 2, nil)
	n := 200
	prod := newClient(kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(in))
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Partition: int32(i % 2), Value: []byte(fmt.Sprintf("in-%d", i))}
	}
	must(prod.ProduceSync(ctxFor(30*time.Second), recs...).FirstErr(), "produce input")
	prod.Close()

	sess, err := kgo.NewGroupTransactSession(kgo.SeedBrokers(bootstrap), kgo.RequestTimeoutOverhead(10*time.Second),
		kgo.TransactionalID(topic+"-eos"), kgo.TransactionTimeout(30*time.Second), kgo.DefaultProduceTopic(out),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ConsumerGroup(group), kgo.ConsumeTopics(in),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.RequireStableFetchOffsets(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(300*time.Millisecond))
	must(err, "NewGroupTransactSession")
	done, txns := 0, 0
	deadline := time.Now().Add(60 * time.Second)
	for done < n {
		check(time.Now().Before(deadline), "eos: processed %d of %d records", done, n)
		fs := sess.PollFetches(ctxFor(2 * time.Second))
		fs.EachError(func(t string, p int32, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				fail("eos fetch %s[%d]: %v", t, p, err)
			}
		})
		if fs.NumRecords() == 0 {
			continue
		}
		must(sess.Begin(), "eos Begin")
		var outRecs []*kgo.Record
		fs.EachRecord(func(r *kgo.Record) {
			outRecs = append(outRecs, &kgo.Record{Partition: r.Partition, Value: []byte(strings.Replace(string(r.Value), "in-", "out-", 1))})
		})
		must(sess.ProduceSync(ctxFor(30*time.Second), outRecs...).FirstErr(), "eos produce")
		committed, err := sess.End(ctxFor(30*time.Second), kgo.TryCommit)
		must(err, "eos End")
		if committed {
			done += len(outRecs)
			txns++
		}
	}
	sess.Close()
	check(done == n, "eos: committed %d output records for %d inputs", done, n)
	got := readPartitions(out, 2, n, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	seen := map[string]bool{}
	for _, r := range got {
		check(!seen[string(r.Value)], "eos: %s twice in the output", r.Value)
		seen[string(r.Value)] = true
	}
	check(len(seen) == n, "eos: %d distinct output records, expected %d", len(seen), n)
	offs, err := adm.FetchOffsets(ctxFor(20*time.Second), group)
	must(err, "FetchOffsets")
	must(offs.Error(), "FetchOffsets")
	var sum int64
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Topic == in {
			sum += o.At
		}
	})
	check(sum == int64(n), "eos: group offsets on %s sum to %d, expected %d", in, sum, n)
	fmt.Printf("ok: eos: %d records through %d transactions with group offsets committed in them; output read_committed once each\n", n, txns)
}
