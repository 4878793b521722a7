# Regenerates the expected values in optimizers.test.ts: torch.optim formulas (1.13, single-tensor path)
# emulated in numpy float32, op by op, independently of llmcore. Run: python3 test/optim/reference-values.py
import numpy as np
f=np.float32
p0=np.array([0.5,-1.25,2.0],dtype=f)
G=[np.array(g,dtype=f) for g in ([0.1,-0.2,0.3],[-0.05,0.4,0.1],[0.2,0.0,-0.3])]

def sgd(lr,momentum=0,dampening=0,nesterov=False,wd=0):
    p=p0.copy(); buf=None; out=[]
    for g in G:
        d=g.copy()
        if wd: d=(d+f(wd)*p).astype(f)
        if momentum:
            if buf is None: buf=d.copy()
            else: buf=(buf*f(momentum)).astype(f); buf=(buf+f(1-dampening)*d).astype(f)
            d=(d+f(momentum)*buf).astype(f) if nesterov else buf
        p=(p+f(-lr)*d).astype(f)
        out.append(p.copy())
    return out

def adam(lr,b1,b2,eps,wd=0,amsgrad=False,decoupled=False):
    p=p0.copy(); m=np.zeros(3,f); v=np.zeros(3,f); vmax=np.zeros(3,f); out=[]
    for t,g in enumerate(G,1):
        if decoupled: p=(p*f(1-lr*wd)).astype(f)
        elif wd: g=(g+f(wd)*p).astype(f)
        m=(m*f(b1)).astype(f); m=(m+f(1-b1)*g).astype(f)
        v=(v*f(b2)).astype(f); v=(v+f(1-b2)*g*g).astype(f)
        bc1=1-b1**t; bc2=1-b2**t
        ss=lr/bc1; bc2s=bc2**0.5
        if amsgrad: vmax=np.maximum(vmax,v); s=vmax
        else: s=v
        denom=(np.sqrt(s).astype(f)/f(bc2s)).astype(f); denom=(denom+f(eps)).astype(f)
        p=(p+f(-ss)*(m/denom).astype(f)).astype(f)
        out.append(p.copy())
    return out

def show(name,res):
    print(name)
    for r in res: print('  ['+', '.join(repr(float(x)) for x in r)+'],')
show('sgd plain lr0.1',sgd(0.1))
show('sgd mom0.9 damp0.1 wd0.01',sgd(0.1,0.9,0.1,False,0.01))
show('sgd nesterov mom0.9 wd0.01',sgd(0.1,0.9,0,True,0.01))
show('adam lr0.01',adam(0.01,0.9,0.999,1e-8))
show('adam lr0.01 wd0.1 amsgrad',adam(0.01,0.9,0.999,1e-8,0.1,True))
show('adamw lr0.01 wd0.1',adam(0.01,0.9,0.999,1e-8,0.1,False,True))
