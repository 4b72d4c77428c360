from mxnet import gluon, init, np, npx
npx.set_np()


class Scaled(gluon.HybridBlock):
    def __init__(self):
        super().__init__()
        self.scale = self.params.get("scale", shape=(1,), init=init.Constant(2.0))

    def hybrid_forward(self, F, x, scale):
        return F.npx.relu(F.np.multiply(x, scale)) + F.np.abs(x)


block = Scaled()
block.initialize()
print(block(np.array([-1.0, 3.0])))
