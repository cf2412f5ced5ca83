#!/usr/bin/python3
# The PyTorch CPU peer of bench/cyclegan_speed.ts: cyclegan-digits' four nets and its training step
# written as the official code writes them (Zhu et al. 2017, "Unpaired Image-to-Image Translation
# using Cycle-Consistent Adversarial Networks"; junyanz/pytorch-CycleGAN-and-pix2pix,
# models/networks.py ResnetGenerator / NLayerDiscriminator, models/cycle_gan_model.py
# optimize_parameters, util/image_pool.py ImagePool), at the sizes of src/model/cyclegan_preset.ts:
#   G, F: c7s1-8, d16, d32, 3 residual blocks of 32, u16, u8, c7s1-1, tanh (reflection pads,
#         instance norm without affine parameters, biases on every conv)
#   D_A, D_B: C8 4x4/2 + LeakyReLU 0.2, C16 4x4/2 + IN + LReLU, C32 4x4/1 + IN + LReLU, C1 4x4/1:
#         7x7 logits for a 28x28 image
#   the step: least-squares (MSE) adversarial losses over the logit maps, cycle L1 (lambda 10) and
#   identity L1 (0.5 lambda) for G and F with D frozen; then each D on real and pooled fakes, its
#   loss halved; pools of 50; Adam 2e-4 (0.5, 0.999), one per net as in wasm-gan, the learning
#   rate held for the first half of the schedule then linear to 0.
# Padding: stride-1 convs use padding "same" (asymmetric for the 4x4: top/left 1, bottom/right 2,
# as TF "same" and wasm-gan); the stride-2 convs use the official symmetric padding 1 and the
# transposed convs padding 1 / output_padding 1, which give the same shapes and work as TF "same"
# but sample a grid shifted by one pixel for the 3x3 ones: the same cost, not the same function.
#
# Protocol (stdin / stdout, one JSON line each way):
#   argv[1]: a JSON config {threads, batch, lambda, identity, pool, lr, beta1, beta2, schedule,
#            ngf, blocks, ndf, layers, data, countA, countB, seed, warmup}; data: a file of float32
#            images [countA + countB, 28, 28, 1] (A then B), in [-1, 1]
#   out: {"ready": true, "params": {G, F, DA, DB}, "threads", "threadpool": [...], "torch"}
#   in "run N": N training steps, out {"steps": N, "seconds": s}; in "quit": exit
import json
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as Fn


# the aten kernels worth naming (convolution paths and the GEMMs)
KERNELS = {"aten::mkldnn_convolution", "aten::slow_conv_transpose2d", "aten::_slow_conv2d_forward", "aten::thnn_conv2d",
           "aten::mkldnn_convolution_backward", "aten::slow_conv_transpose2d_backward", "aten::_slow_conv2d_backward",
           "aten::convolution_backward", "aten::mm", "aten::addmm", "aten::bmm"}
warnings.filterwarnings("ignore", message="Using padding='same' with even kernel lengths")  # the copy is part of the cost, as in wasm-gan


def resnet_block(k):
    return nn.Sequential(
        nn.ReflectionPad2d(1), nn.Conv2d(k, k, 3), nn.InstanceNorm2d(k), nn.ReLU(True),
        nn.ReflectionPad2d(1), nn.Conv2d(k, k, 3), nn.InstanceNorm2d(k))


class Residual(nn.Module):
    def __init__(self, k):
        super().__init__()
        self.f = resnet_block(k)

    def forward(self, x):
        return x + self.f(x)


def generator(channels, ngf, blocks):
    k = ngf
    layers = [nn.ReflectionPad2d(3), nn.Conv2d(channels, k, 7), nn.InstanceNorm2d(k), nn.ReLU(True),
              nn.Conv2d(k, 2 * k, 3, stride=2, padding=1), nn.InstanceNorm2d(2 * k), nn.ReLU(True),
              nn.Conv2d(2 * k, 4 * k, 3, stride=2, padding=1), nn.InstanceNorm2d(4 * k), nn.ReLU(True)]
    layers += [Residual(4 * k) for _ in range(blocks)]
    layers += [nn.ConvTranspose2d(4 * k, 2 * k, 3, stride=2, padding=1, output_padding=1), nn.InstanceNorm2d(2 * k), nn.ReLU(True),
               nn.ConvTranspose2d(2 * k, k, 3, stride=2, padding=1, output_padding=1), nn.InstanceNorm2d(k), nn.ReLU(True),
               nn.ReflectionPad2d(3), nn.Conv2d(k, channels, 7), nn.Tanh()]
    return nn.Sequential(*layers)


def discriminator(channels, ndf, n):
    layers = [nn.Conv2d(channels, ndf, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
    for i in range(1, n):
        layers += [nn.Conv2d(ndf << (i - 1), ndf << i, 4, stride=2, padding=1), nn.InstanceNorm2d(ndf << i), nn.LeakyReLU(0.2, True)]
    layers += [nn.Conv2d(ndf << (n - 1), ndf << n, 4, padding="same"), nn.InstanceNorm2d(ndf << n), nn.LeakyReLU(0.2, True),
               nn.Conv2d(ndf << n, 1, 4, padding="same")]
    return nn.Sequential(*layers)


def dcgan_init(net):
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            nn.init.zeros_(m.bias)


class ImagePool:  # util/image_pool.py, one image at a time
    def __init__(self, size):
        self.size, self.images = size, []

    def query(self, images):
        if self.size == 0:
            return images
        out = []
        for image in images:
            image = image.unsqueeze(0)
            if len(self.images) < self.size:
                self.images.append(image)
                out.append(image)
            elif torch.rand(1).item() > 0.5:
                i = torch.randint(0, self.size, (1,)).item()
                out.append(self.images[i].clone())
                self.images[i] = image
            else:
                out.append(image)
        return torch.cat(out, 0)


def main():
    c = json.loads(sys.argv[1])
    torch.set_num_threads(c["threads"])
    torch.manual_seed(c["seed"])
    from threadpoolctl import threadpool_info
    x = np.fromfile(c["data"], dtype=np.float32).reshape(c["countA"] + c["countB"], 28, 28, 1)
    x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))  # NHWC -> NCHW
    A, B = x[:c["countA"]], x[c["countA"]:]
    nets = {"G": generator(1, c["ngf"], c["blocks"]), "F": generator(1, c["ngf"], c["blocks"]),
            "DA": discriminator(1, c["ndf"], c["layers"]), "DB": discriminator(1, c["ndf"], c["layers"])}
    for n in nets.values():
        dcgan_init(n)
    G, F, DA, DB = nets["G"], nets["F"], nets["DA"], nets["DB"]
    opts = {k: torch.optim.Adam(n.parameters(), lr=c["lr"], betas=(c["beta1"], c["beta2"])) for k, n in nets.items()}
    poolA, poolB = ImagePool(c["pool"]), ImagePool(c["pool"])
    lam, wid, bs = c["lambda"], c["lambda"] * c["identity"], c["batch"]
    l1 = nn.L1Loss()

    def mse(logits, target):  # the official GANLoss("lsgan"): the target expanded to the map
        return Fn.mse_loss(logits, torch.full_like(logits, target))
    step = [0]

    def set_lr():
        s, end = step[0], c["schedule"]
        start = end // 2
        f = 1.0 if s < start else max(0.0, 1.0 - (s - start) / (end - start))
        for o in opts.values():
            for g in o.param_groups:
                g["lr"] = c["lr"] * f

    def train_step():
        set_lr()
        a = A[torch.randint(0, A.shape[0], (bs,))]
        b = B[torch.randint(0, B.shape[0], (bs,))]
        # generators, D frozen (set_requires_grad(D, False))
        for d in (DA, DB):
            for p in d.parameters():
                p.requires_grad_(False)
        opts["G"].zero_grad(set_to_none=True)
        opts["F"].zero_grad(set_to_none=True)
        fake_b = G(a)
        rec_a = F(fake_b)
        fake_a = F(b)
        rec_b = G(fake_a)
        loss = mse(DB(fake_b), 1.0) + mse(DA(fake_a), 1.0) + lam * (l1(rec_a, a) + l1(rec_b, b))
        if wid > 0:
            loss = loss + wid * (l1(G(b), b) + l1(F(a), a))
        loss.backward()
        opts["G"].step()
        opts["F"].step()
        # discriminators on real images and the pools' answers for the fakes before the update
        for d in (DA, DB):
            for p in d.parameters():
                p.requires_grad_(True)
        for d, o, real, fake, pool in ((DB, opts["DB"], b, fake_b, poolB), (DA, opts["DA"], a, fake_a, poolA)):
            o.zero_grad(set_to_none=True)
            f = pool.query(fake.detach())
            ld = 0.5 * (mse(d(real), 1.0) + mse(d(f), 0.0))
            ld.backward()
            o.step()
        step[0] += 1

    for _ in range(c["warmup"]):
        train_step()
    # which kernels run the convolutions and GEMMs (one profiled step), and which BLAS is loaded
    with torch.autograd.profiler.profile() as prof:
        train_step()
    kernels = sorted({e.name for e in prof.function_events if e.name in KERNELS})
    blas = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.lower() and "/" in line})
    params = {k: sum(p.numel() for p in n.parameters()) for k, n in nets.items()}
    pools = [{k: v for k, v in lib.items() if k in ("user_api", "internal_api", "prefix", "version", "num_threads", "threading_layer", "architecture")} for lib in threadpool_info()]
    print(json.dumps({"ready": True, "params": params, "threads": torch.get_num_threads(), "threadpool": pools, "torch": torch.__version__,
                      "mkldnn": torch.backends.mkldnn.is_available(), "kernels": kernels, "blas": blas}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        n = int(cmd[1])
        t0 = time.perf_counter()
        for _ in range(n):
            train_step()
        print(json.dumps({"steps": n, "seconds": time.perf_counter() - t0}), flush=True)


if __name__ == "__main__":
    main()
