#!/usr/bin/env python3
"""Mutation run of the xportdnn command line over the real models in ../shared (issue 12's separate CLI fuzz run):
random edits of their prototxt (numbers, names, deleted/duplicated/cut lines) and caffemodel (truncation, bit
flips, inf/NaN patterns) and a few bad flag values, through `inspect` and both export modes. Each run must end with
exit 0, or exit 2 with exactly one error line and nothing left in the output folder; never a stack trace, never a
*.tmp file. A failing run's inputs are kept as /tmp/clifz/findingN.

    python3 tools/cli_mutate.py "target/classes:$(cat target/classpath.txt)" SECONDS [SEED] [COMMANDS]

(target/classpath.txt is written by `mvn package`; COMMANDS defaults to inspect,export.)"""
import os, random, re, shutil, subprocess, sys, tempfile, time
S = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared')
CP = sys.argv[1]
seconds = int(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 12)
MODELS = [(f'{S}/models/cifar10_quick/cifar10_quick.prototxt', f'{S}/models/cifar10_quick/cifar10_quick_iter_5000.caffemodel', f'{S}/data/cifar10-test/images'),
          (f'{S}/models/lenet_mnist/lenet.prototxt', f'{S}/models/lenet_mnist/lenet_iter_10000.caffemodel', f'{S}/data/mnist/t10k-images-idx3-ubyte.gz')]

def mutate_text(t):
    lines = t.split('\n')
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(6)
        i = rng.randrange(len(lines))
        if k == 0: lines[i] = re.sub(r'\d+', lambda m: str(rng.choice([0, 1, -1, 7, 65535, 2**31, 2**31 - 1, 10**12, int(m.group()) * 1000])), lines[i], count=1)
        elif k == 1: del lines[i]
        elif k == 2: lines.insert(i, lines[rng.randrange(len(lines))])
        elif k == 3: lines[i] = lines[i][:rng.randrange(len(lines[i]) + 1)]
        elif k == 4: lines[i] = re.sub(r'"[A-Za-z0-9_]+"', '"' + rng.choice(['conv1', 'ip1', 'data', 'prob', 'xx', '']) + '"', lines[i], count=1)
        else: lines[i] = lines[i].replace(':', rng.choice([': -', ': 1e40 #', ': nan #', ':: ', ': "']), 1)
    return '\n'.join(lines)

def mutate_bytes(b):
    b = bytearray(b)
    k = rng.randrange(4)
    if k == 0: return bytes(b[:rng.randrange(len(b))])
    for _ in range(rng.choice([1, 2, 8, 64])):
        i = rng.randrange(len(b))
        if k == 1: b[i] ^= 1 << rng.randrange(8)
        elif k == 2: b[i] = rng.choice([0, 0xff, 0x7f, 0x80])
        else: b[i:i + 4] = rng.choice([b'\x00\x00\xc0\x7f', b'\x00\x00\x80\x7f', b'\xff\xff\xff\x7f'])
    return bytes(b)

CMDS = sys.argv[4].split(',') if len(sys.argv) > 4 else ['inspect', 'export']
runs = findings = 0
counts = {}
end = time.time() + seconds
while time.time() < end:
    proto, weights, data = rng.choice(MODELS)
    work = tempfile.mkdtemp(prefix='clifz')
    out = os.path.join(work, 'out'); os.mkdir(out)
    p, w = proto, weights
    what = rng.randrange(3)
    if what in (0, 2):
        p = os.path.join(work, 'net.prototxt'); open(p, 'w').write(mutate_text(open(proto).read()))
    if what in (1, 2):
        w = os.path.join(work, 'net.caffemodel'); open(w, 'wb').write(mutate_bytes(open(weights, 'rb').read()))
    cmd = rng.choice(CMDS)
    args = ['--deploy_model', p, '--weights', w]
    if cmd == 'export':
        args = args + ['--quantized_deploy_model', f'{out}/q.prototxt', '--calibration_directory', data, '--calibration_size', '4',
                       '--quant_type', rng.choice(['Xilinx', 'DynamicFixed']), '--bitwidths', rng.choice(['8,8,8', '6,6,6', '16,16,16'])]
        if rng.random() < 0.5: args += ['--report', f'{out}/' + rng.choice(['r.json', 'q.prototxt', 'missing/r.json'])]
    else:
        args = ['inspect'] + args
    if rng.random() < 0.3: args += [rng.choice(['--batch', '--mean_value', '--raw_scale', '--input_scale', '--dims']), rng.choice(['0', '-1', 'nan', '1e9', '3,32,32', '', 'x'])]
    try:
        r = subprocess.run(['java', '-Xmx1g', '-cp', CP, 'xportdnn.cli.Main'] + args, capture_output=True, text=True, timeout=300)
        status, err = r.returncode, r.stderr
    except subprocess.TimeoutExpired:
        status, err = 'timeout', ''
    runs += 1
    counts[status] = counts.get(status, 0) + 1
    left = [os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs]
    errors = [l for l in err.splitlines() if l.startswith('xportdnn: error: ')]
    bad = []
    if status not in (0, 2): bad.append(f'exit {status}')
    if any(l.startswith('\tat ') for l in err.splitlines()): bad.append('stack trace')
    if status == 2 and len(errors) != 1: bad.append(f'{len(errors)} error lines')
    if status == 2 and left: bad.append(f'left {left}')
    if any(f.endswith('.tmp') for f in left): bad.append('tmp left')
    if bad:
        findings += 1
        keep = f'/tmp/clifz/finding{findings}'
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(work, keep)
        print(f'FINDING {findings}: {bad}: {cmd} {" ".join(args)} -> {status}: {err[-600:]}', flush=True)
    shutil.rmtree(work, ignore_errors=True)
print(f'runs {runs}, exit statuses {counts}, findings {findings}', flush=True)
