import sys, types, importlib.util
def stub(name, **kw):
    m = types.ModuleType(name); m.__dict__.update(kw); sys.modules[name] = m; return m
noop = lambda *a, **k: None
for name in ["pandas", "requests"]:
    if importlib.util.find_spec(name) is None: stub(name)
if importlib.util.find_spec("IPython") is None:
    d = stub("IPython.display", display=noop, clear_output=noop); stub("IPython", display=d)
if importlib.util.find_spec("matplotlib_inline") is None:
    b = stub("matplotlib_inline.backend_inline", set_matplotlib_formats=noop); stub("matplotlib_inline", backend_inline=b)
import matplotlib; matplotlib.use("Agg")
path = sys.argv[1]
spec = importlib.util.spec_from_file_location("d2l_mxnet", path)
d2l = importlib.util.module_from_spec(spec); sys.modules["d2l_mxnet"] = d2l
spec.loader.exec_module(d2l)
from mxnet import np, npx, init
npx.set_np()
print(d2l.try_gpu(), d2l.num_gpus())
X = np.arange(16.0).reshape(2, 2, 4) / 10
print(d2l.masked_softmax(X, np.array([2, 3])))
print(d2l.corr2d(np.arange(9.0).reshape(3, 3), np.array([[0.0, 1.0], [2.0, 3.0]])))
queries, keys = np.ones((2, 1, 2)) * 0.5, np.ones((2, 10, 2))
values = np.arange(40.0).reshape(1, 10, 4).repeat(2, axis=0)
attention = d2l.DotProductAttention(dropout=0.5)
attention.initialize()
print(attention(queries, keys, values, np.array([2, 6])))
blk = d2l.Residual(3)
blk.initialize(init.Constant(0.01))
print(blk(np.ones((4, 3, 6, 6))).shape)
pe = d2l.PositionalEncoding(8, 0)
pe.initialize()
print(pe(np.zeros((1, 4, 8)))[0, :2])
