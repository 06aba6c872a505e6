// nn_adam.comp - Adam with bias correction over the whole parameter vector, two lr groups; zeroes the gradients.
#version 450
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) buffer Params { float P[]; };
layout(set = 0, binding = 1) buffer Grads { float G[]; };
layout(set = 0, binding = 2) buffer AdamM { float M[]; };
layout(set = 0, binding = 3) buffer AdamV { float V[]; };
layout(push_constant) uniform Push {
    uint n, dec_offset;
    float lr_enc, lr_net, beta1, beta2, eps, bc1, bc2;
    uint pad0, pad1, pad2;
} pc;

void main()
{
    uint i = gl_GlobalInvocationID.x;
    if (i >= pc.n) return;
    float g = G[i];
    G[i] = 0.0;
    float m = pc.beta1 * M[i] + (1.0 - pc.beta1) * g;
    float v = pc.beta2 * V[i] + (1.0 - pc.beta2) * g * g;
    M[i] = m;
    V[i] = v;
    float lr = i < pc.dec_offset ? pc.lr_enc : pc.lr_net;
    P[i] -= lr * (m / pc.bc1) / (sqrt(v / pc.bc2) + pc.eps);
}
