"""The Kubernetes manifests (docker/k8s/) agree with what they run: every judged flag they
pass exists (judged --help), node ids and addresses come from the pod name and the headless
service, judged reaches NATS through a Service that nats.yaml defines, NATS routes name every
replica, and the autoscaler reads the stream and consumer judged creates. No cluster is applied
here; this catches the manifests drifting from the code."""
import os
import re
import subprocess
import unittest

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("JUDGE_BUILD_DIR", os.path.join(ROOT, "build"))


def docs(name):
    with open(os.path.join(ROOT, "docker", "k8s", name)) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def of_kind(ds, kind, name=None):
    return [d for d in ds if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


class ManifestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        out = subprocess.run([os.path.join(BUILD, "bin", "judged"), "--help"], capture_output=True, text=True)
        cls.flags = set(re.findall(r"(--[a-z][a-z0-9-]*)", out.stdout))
        cls.judged = docs("judged.yaml")
        cls.nats = docs("nats.yaml")

    def judged_args(self):
        (sts,) = of_kind(self.judged, "StatefulSet")
        (container,) = sts["spec"]["template"]["spec"]["containers"]
        return sts, container, container["args"]

    def test_every_flag_exists(self):
        _, _, args = self.judged_args()
        with open(os.path.join(ROOT, "docker", "Dockerfile")) as f:
            entrypoint = re.search(r"ENTRYPOINT \[(.*?)\]", f.read(), re.S).group(1)
        used = [a for a in args if a.startswith("--")] + re.findall(r'"(--[a-z0-9-]+)"', entrypoint)
        self.assertIn("--nats", used)
        for flag in used:
            self.assertIn(flag, self.flags, "judged has no %s" % flag)

    def test_node_identity_comes_from_the_pod(self):
        sts, container, args = self.judged_args()
        opt = dict(zip(args[::2], args[1::2]))
        env = {e["name"]: e for e in container.get("env", [])}
        self.assertEqual(env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name")
        self.assertEqual(opt["--node-id"], "$(POD_NAME)")
        headless = sts["spec"]["serviceName"]
        (svc,) = of_kind(self.judged, "Service", headless)
        self.assertEqual(svc["spec"]["clusterIP"], "None")
        port = [p["port"] for p in svc["spec"]["ports"] if p["name"] == "grpc"][0]
        self.assertEqual(opt["--advertise"], "$(POD_NAME).%s:%d" % (headless, port))
        # The data volume is per pod.
        self.assertEqual(sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"], "data")

    def test_nodes_share_a_secret_from_a_kubernetes_secret(self):
        sts, container, args = self.judged_args()
        opt = dict(zip(args[::2], args[1::2]))
        secret_file = opt["--cluster-secret-file"]
        volumes = {v["name"]: v for v in sts["spec"]["template"]["spec"]["volumes"]}
        mounts = [m for m in container["volumeMounts"] if secret_file.startswith(m["mountPath"].rstrip("/") + "/")]
        self.assertEqual(len(mounts), 1, "no volume holds %s" % secret_file)
        self.assertIn("secret", volumes[mounts[0]["name"]], "the cluster secret comes from a Secret")
        self.assertTrue(mounts[0].get("readOnly"))

    def test_nats_is_reachable_and_replicated(self):
        _, _, args = self.judged_args()
        opt = dict(zip(args[::2], args[1::2]))
        host, port = re.match(r"nats://([^:]+):(\d+)$", opt["--nats"]).groups()
        (svc,) = of_kind(self.nats, "Service", host)
        self.assertIn(int(port), [p["port"] for p in svc["spec"]["ports"]])
        (sts,) = of_kind(self.nats, "StatefulSet")
        replicas = sts["spec"]["replicas"]
        self.assertEqual(int(opt["--nats-replicas"]), replicas)
        conf = of_kind(self.nats, "ConfigMap")[0]["data"]["nats.conf"]
        routes = re.findall(r"nats://(nats-\d+)\.%s:6222" % sts["spec"]["serviceName"], conf)
        self.assertEqual(sorted(routes), ["nats-%d" % i for i in range(replicas)])
        self.assertIn("jetstream", conf)

    def test_the_autoscaler_reads_the_judges_queue(self):
        (scaled,) = docs("autoscale.yaml")
        meta = scaled["spec"]["triggers"][0]["metadata"]
        with open(os.path.join(ROOT, "judge", "cluster", "nats_link.cc")) as f:
            code = f.read()
        self.assertIn('kJobsStream[] = "%s"' % meta["stream"], code)
        self.assertIn('kWorkers[] = "%s"' % meta["consumer"], code)
        monitor_host = meta["natsServerMonitoringEndpoint"].split(".")[0]
        (svc,) = of_kind(self.nats, "Service", monitor_host)
        self.assertIn(8222, [p["port"] for p in svc["spec"]["ports"]])
        self.assertEqual(scaled["spec"]["scaleTargetRef"]["name"], self.judged_args()[0]["metadata"]["name"])


if __name__ == "__main__":
    unittest.main()
