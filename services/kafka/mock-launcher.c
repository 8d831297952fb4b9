/*
 * l2-harness Kafka mock launcher: runs librdkafka's in-memory mock cluster as a child process
 * for tests on machines without Docker (see /work/shared/design/SERVICES.md §2, option B).
 *
 *   mock-launcher [-b BROKERS] [-r RTT_MS] [-n] [TOPIC:PARTITIONS ...]
 *
 *   -b  number of brokers, ids 1..N (default 1)
 *   -r  round-trip delay each broker adds, in ms (default 0)
 *   -n  do not patch librdkafka's private structs (plain mock: controller id 0, 5 MiB retention)
 *   TOPIC:PARTITIONS  topics to pre-create; default iqfeed.l2:4 iqfeed.l1:4 iqfeed.ticks:4 iqfeed.gaps:4
 *
 * stdout, line by line:
 *   BOOTSTRAP=127.0.0.1:PORT,...      always the first line
 *   VERSION=<librdkafka version>      then this
 *   OK <command> / ERR <reason>       one reply per stdin command
 * stdin commands: "down" / "up" (every broker) or "down ID" / "up ID" (one broker). Down brokers
 * drop their connections and refuse new ones; partitions and committed offsets stay in memory.
 * The launcher exits on stdin EOF (so a crashed parent leaves no orphan), SIGTERM or SIGINT.
 *
 * Build: gcc -O2 -pthread -o mock-launcher mock-launcher.c -lrdkafka   (Debian: apt-get install gcc librdkafka-dev)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_TOPICS 64
#define MAX_LINE 256

/*
 * Mirrors of the leading fields of librdkafka v2.0.2's private mock structs
 * (src/rdkafka_mock_int.h). The mock leaves two things we need unreachable through its public
 * API: the advertised controller id stays 0 while brokers are numbered 1..N (kafkajs then cannot
 * route InitProducerId, so idempotent producers fail to connect), and each partition keeps only
 * 5 MiB / 100000 message sets (older batches silently vanish). These mirrors let us set both.
 * The offsets were confirmed by dumping memory of Debian's 2.0.2; patch_cluster() checks every
 * field it relies on against a known value first and refuses to write on any mismatch.
 */
struct mirror_tailq_head {
  void *first;
  void **last;
};

struct mirror_cluster {
  char id[32];
  rd_kafka_t *rk;
  int32_t controller_id;
  struct mirror_tailq_head brokers;
  int broker_cnt;
  struct mirror_tailq_head topics;
  int topic_cnt;
};

struct mirror_partition;

struct mirror_topic {
  struct mirror_topic *next;
  void **prev;
  char *name;
  struct mirror_partition *partitions;
  int partition_cnt;
  int err;
  void *cluster;
};

struct mirror_partition {
  void *leader_link[2];
  int32_t id;
  int32_t pad0;
  int64_t start_offset;
  int64_t end_offset;
  int64_t follower_start_offset;
  int64_t follower_end_offset;
  unsigned char update_follower_offsets[8];
  struct mirror_tailq_head msgsets;
  size_t size;
  size_t cnt;
  size_t max_size;
  size_t max_cnt;
  struct mirror_tailq_head committed_offsets;
  void *leader;
  void **replicas;
  int replica_cnt;
  int pad1;
  unsigned char pidstates[40];
  int32_t follower_id;
  struct mirror_topic *topic;
};

_Static_assert(offsetof(struct mirror_cluster, rk) == 32, "cluster.rk offset");
_Static_assert(offsetof(struct mirror_cluster, controller_id) == 40, "cluster.controller_id offset");
_Static_assert(offsetof(struct mirror_cluster, broker_cnt) == 64, "cluster.broker_cnt offset");
_Static_assert(offsetof(struct mirror_cluster, topics) == 72, "cluster.topics offset");
_Static_assert(offsetof(struct mirror_cluster, topic_cnt) == 88, "cluster.topic_cnt offset");
_Static_assert(offsetof(struct mirror_topic, partitions) == 24, "topic.partitions offset");
_Static_assert(offsetof(struct mirror_topic, cluster) == 40, "topic.cluster offset");
_Static_assert(offsetof(struct mirror_partition, id) == 16, "partition.id offset");
_Static_assert(offsetof(struct mirror_partition, max_size) == 96, "partition.max_size offset");
_Static_assert(offsetof(struct mirror_partition, max_cnt) == 104, "partition.max_cnt offset");
_Static_assert(offsetof(struct mirror_partition, topic) == 200, "partition.topic offset");
_Static_assert(sizeof(struct mirror_partition) == 208, "partition size");

#define MOCK_DEFAULT_MAX_SIZE ((size_t)5 * 1024 * 1024)
#define MOCK_DEFAULT_MAX_CNT ((size_t)100000)
/* 4 GiB and 2^31 message sets per partition: far beyond any test run, so nothing is evicted. */
#define PATCHED_MAX_SIZE ((size_t)4096 * 1024 * 1024)
#define PATCHED_MAX_CNT ((size_t)1 << 31)

struct topic_spec {
  const char *name;
  int partitions;
};

static int signal_pipe[2] = {-1, -1};

/*
 * Every call into the mock (topic create, broker down/up) is an op that its thread must pick up.
 * With 2.0.2 that thread sometimes misses the wake-up and only sees the op when its 1 s poll
 * timeout ends (measured: about one op in five waited 1000 ms, so startup with four topics
 * often took 1-2 s). Any activity on a socket it polls wakes it as well, so while an op is in
 * flight a helper thread connects to a broker's listener every 2 ms; each such connection is
 * accepted and closed again at once by the mock.
 */
struct kicker {
  pthread_t thread;
  volatile int running;
  struct sockaddr_in addr;
};

static void *kick_loop(void *arg) {
  struct kicker *k = arg;
  const struct timespec pause = {0, 2 * 1000 * 1000};
  while (k->running) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s >= 0) {
      (void)connect(s, (struct sockaddr *)&k->addr, sizeof k->addr);
      close(s);
    }
    nanosleep(&pause, NULL);
  }
  return NULL;
}

/* Parses the first host:port of the bootstrap list. Returns 0 on success. */
static int kicker_init(struct kicker *k, const char *bootstraps) {
  memset(k, 0, sizeof *k);
  char host[64];
  int port;
  if (sscanf(bootstraps, "%63[^:]:%d", host, &port) != 2) return -1;
  k->addr.sin_family = AF_INET;
  k->addr.sin_port = htons((uint16_t)port);
  return inet_pton(AF_INET, host, &k->addr.sin_addr) == 1 ? 0 : -1;
}

static void kicker_start(struct kicker *k) {
  k->running = 1;
  if (pthread_create(&k->thread, NULL, kick_loop, k) != 0) k->running = 0;
}

static void kicker_stop(struct kicker *k) {
  if (!k->running) return;
  k->running = 0;
  pthread_join(k->thread, NULL);
}

static void on_signal(int sig) {
  unsigned char b = (unsigned char)sig;
  ssize_t ignored = write(signal_pipe[1], &b, 1);
  (void)ignored;
}

static void die(int code, const char *fmt, const char *arg) {
  fprintf(stderr, "mock-launcher: ");
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  exit(code);
}

static int parse_int(const char *s, int lo, int hi, int *out) {
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) return -1;
  *out = (int)v;
  return 0;
}

static int valid_topic_name(const char *s, size_t len) {
  if (len == 0 || len > 249) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

static const struct topic_spec *find_spec(const struct topic_spec *specs, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (strcmp(specs[i].name, name) == 0) return &specs[i];
  return NULL;
}

/*
 * Returns NULL when the cluster was patched, or a description of the first check that failed
 * (nothing is written in that case).
 */
static const char *patch_cluster(rd_kafka_mock_cluster_t *mc, rd_kafka_t *rk, int brokers,
                                 const struct topic_spec *specs, int nspecs) {
  static char why[MAX_LINE];
  struct mirror_cluster *c = (struct mirror_cluster *)(void *)mc;

  if (rd_kafka_version() >> 8 != 0x020002) {
    snprintf(why, sizeof why, "librdkafka %s is not 2.0.2, the layout this launcher mirrors",
             rd_kafka_version_str());
    return why;
  }
  if (strncmp(c->id, "mockCluster", 11) != 0) return "cluster id does not start with mockCluster";
  if (c->rk != rk) return "cluster.rk does not point at our rd_kafka_t";
  if (c->controller_id != 0) return "cluster.controller_id is not the expected 0";
  if (c->broker_cnt != brokers) return "cluster.broker_cnt differs from the broker count asked for";
  if (c->topic_cnt != nspecs) return "cluster.topic_cnt differs from the topics created";

  /* Check every topic and partition before writing anything. */
  int seen = 0;
  for (struct mirror_topic *t = (struct mirror_topic *)c->topics.first; t; t = t->next) {
    if (++seen > nspecs) return "topic list is longer than topic_cnt";
    if (t->cluster != (void *)mc) return "topic.cluster does not point back at the cluster";
    if (t->name == NULL) return "topic.name is NULL";
    const struct topic_spec *spec = find_spec(specs, nspecs, t->name);
    if (spec == NULL) return "topic list holds a topic we did not create";
    if (t->partition_cnt != spec->partitions) return "topic.partition_cnt differs from the count asked for";
    for (int i = 0; i < t->partition_cnt; i++) {
      struct mirror_partition *p = &t->partitions[i];
      if (p->id != i) return "partition.id is not its index";
      if (p->topic != t) return "partition.topic does not point back at its topic";
      if (p->max_size != MOCK_DEFAULT_MAX_SIZE) return "partition.max_size is not the default 5 MiB";
      if (p->max_cnt != MOCK_DEFAULT_MAX_CNT) return "partition.max_cnt is not the default 100000";
    }
  }
  if (seen != nspecs) return "topic list is shorter than topic_cnt";

  for (struct mirror_topic *t = (struct mirror_topic *)c->topics.first; t; t = t->next) {
    for (int i = 0; i < t->partition_cnt; i++) {
      t->partitions[i].max_size = PATCHED_MAX_SIZE;
      t->partitions[i].max_cnt = PATCHED_MAX_CNT;
    }
  }
  c->controller_id = 1;
  return NULL;
}

static void handle_command(rd_kafka_mock_cluster_t *mc, struct kicker *kick, char *line) {
  size_t len = strlen(line);
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ')) line[--len] = '\0';
  if (len == 0) return;

  char verb[16] = {0};
  char arg[32] = {0};
  int n = sscanf(line, "%15s %31s", verb, arg);
  int32_t broker = -1; /* -1: every broker */
  if (n == 2) {
    int id;
    if (parse_int(arg, 1, 1024, &id) != 0) {
      printf("ERR bad broker id '%s' in '%s'\n", arg, line);
      return;
    }
    broker = id;
  }
  rd_kafka_resp_err_t err;
  int down = strcmp(verb, "down") == 0;
  if (!down && strcmp(verb, "up") != 0) {
    printf("ERR unknown command '%s' (expected: down [ID] | up [ID])\n", line);
    return;
  }
  kicker_start(kick);
  err = down ? rd_kafka_mock_broker_set_down(mc, broker) : rd_kafka_mock_broker_set_up(mc, broker);
  kicker_stop(kick);
  if (err)
    printf("ERR %s: %s\n", line, rd_kafka_err2str(err));
  else
    printf("OK %s\n", line);
}

int main(int argc, char **argv) {
  int brokers = 1;
  int rtt_ms = 0;
  int patch = 1;
  int opt;
  while ((opt = getopt(argc, argv, "b:r:n")) != -1) {
    switch (opt) {
    case 'b':
      if (parse_int(optarg, 1, 32, &brokers) != 0) die(2, "-b wants a broker count 1..32, got '%s'", optarg);
      break;
    case 'r':
      if (parse_int(optarg, 0, 60000, &rtt_ms) != 0) die(2, "-r wants an RTT in ms 0..60000, got '%s'", optarg);
      break;
    case 'n':
      patch = 0;
      break;
    default:
      die(2, "%s", "usage: mock-launcher [-b BROKERS] [-r RTT_MS] [-n] [TOPIC:PARTITIONS ...]");
    }
  }

  static const struct topic_spec defaults[] = {
      {"iqfeed.l2", 4}, {"iqfeed.l1", 4}, {"iqfeed.ticks", 4}, {"iqfeed.gaps", 4}};
  struct topic_spec specs[MAX_TOPICS];
  int nspecs = 0;
  if (optind >= argc) {
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) specs[nspecs++] = defaults[i];
  }
  for (int i = optind; i < argc; i++) {
    char *colon = strrchr(argv[i], ':');
    if (colon == NULL) die(2, "topic '%s' must be TOPIC:PARTITIONS", argv[i]);
    if (!valid_topic_name(argv[i], (size_t)(colon - argv[i])))
      die(2, "topic name in '%s' must be 1-249 chars of [A-Za-z0-9._-]", argv[i]);
    int parts;
    if (parse_int(colon + 1, 1, 1000, &parts) != 0) die(2, "partitions in '%s' must be 1..1000", argv[i]);
    *colon = '\0';
    if (find_spec(specs, nspecs, argv[i]) != NULL) die(2, "topic '%s' given twice", argv[i]);
    if (nspecs == MAX_TOPICS) die(2, "more than 64 topics at '%s'", argv[i]);
    specs[nspecs].name = argv[i];
    specs[nspecs].partitions = parts;
    nspecs++;
  }

  setvbuf(stdout, NULL, _IOLBF, 0);
  if (pipe(signal_pipe) != 0) die(1, "pipe: %s", strerror(errno));
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The handle exists only because the mock needs one; its "no bootstrap.servers" warning is noise. */
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == NULL) die(1, "rd_kafka_new: %s", errstr);
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (mc == NULL) die(1, "%s", "rd_kafka_mock_cluster_new failed");
  struct kicker kick;
  if (kicker_init(&kick, rd_kafka_mock_cluster_bootstraps(mc)) != 0)
    die(1, "cannot parse the mock's bootstrap list '%s'", rd_kafka_mock_cluster_bootstraps(mc));

  kicker_start(&kick);
  for (int i = 0; i < nspecs; i++) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, specs[i].name, specs[i].partitions, 1);
    if (err) {
      fprintf(stderr, "mock-launcher: creating topic %s: %s\n", specs[i].name, rd_kafka_err2str(err));
      return 1;
    }
  }
  if (rtt_ms > 0) rd_kafka_mock_broker_set_rtt(mc, -1, rtt_ms);
  kicker_stop(&kick);

  if (patch) {
    const char *why = patch_cluster(mc, rk, brokers, specs, nspecs);
    if (why != NULL) {
      fprintf(stderr,
              "mock-launcher: refusing to patch librdkafka's private mock structs: %s. "
              "Without the patch idempotent producers cannot connect and partitions keep only 5 MiB; "
              "run with -n to accept that.\n",
              why);
      return 3;
    }
  }

  printf("BOOTSTRAP=%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  printf("VERSION=%s\n", rd_kafka_version_str());

  struct pollfd fds[2] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = signal_pipe[0], .events = POLLIN}};
  char buf[MAX_LINE];
  size_t used = 0;
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) break;
    if (fds[0].revents == 0) continue;
    ssize_t n = read(STDIN_FILENO, buf + used, sizeof buf - 1 - used);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      break; /* EOF: the parent is gone or done with us */
    }
    used += (size_t)n;
    buf[used] = '\0';
    char *start = buf;
    char *nl;
    while ((nl = strchr(start, '\n')) != NULL) {
      *nl = '\0';
      handle_command(mc, &kick, start);
      start = nl + 1;
    }
    used = strlen(start);
    memmove(buf, start, used + 1);
    if (used == sizeof buf - 1) {
      printf("ERR command line longer than %d bytes\n", MAX_LINE - 1);
      used = 0;
    }
  }
  /* All state is in memory and meant to vanish with us: skip the mock's slow orderly teardown
   * (up to 1 s waiting on its timer thread) and let the kernel close the sockets. */
  fflush(stdout);
  _exit(0);
}
