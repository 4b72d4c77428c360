"""How much of the PyTorch surface a typical user touches bricks has: a name-coverage probe.

The lists below are the ``torch.*`` functions and ``Tensor`` methods that tutorials, the d2l
textbook and everyday training code reach for (creation, math, reductions, shapes, indexing,
linear algebra, random numbers, autograd, utilities). The probe reports, per group, how many
of them bricks has, and which it lacks.

    PYTHONPATH=src python tools/coverage_probe.py            # summary and missing names
    PYTHONPATH=src python tools/coverage_probe.py --check 0.95  # exit 1 below that fraction

``tests/test_coverage_probe.py`` runs it and keeps the fractions from going down.
"""

from __future__ import annotations

import sys

TORCH = """
tensor as_tensor from_numpy zeros ones full empty arange linspace logspace eye zeros_like
ones_like full_like empty_like rand randn randint randperm rand_like randn_like randint_like
normal bernoulli multinomial manual_seed seed initial_seed get_rng_state set_rng_state
Generator is_tensor is_floating_point numel cat concat stack hstack vstack dstack split chunk
unbind reshape squeeze unsqueeze transpose permute flatten movedim narrow gather scatter
scatter_add index_select index_add index_copy masked_select masked_fill take take_along_dim
where nonzero argwhere tril triu diag diagonal diag_embed trace flip fliplr flipud roll
rot90 repeat_interleave tile meshgrid broadcast_to broadcast_tensors abs neg add sub mul div
true_divide floor_divide remainder fmod pow exp exp2 expm1 log log2 log10 log1p sqrt rsqrt
square sin cos tan sinh cosh tanh asin acos atan atan2 asinh acosh atanh sigmoid relu erf
erfc erfinv lgamma digamma sign signbit floor ceil round trunc frac clamp clip reciprocal
maximum minimum fmax fmin lerp hypot logaddexp isnan isinf isfinite isclose allclose equal
eq ne lt le gt ge logical_and logical_or logical_not logical_xor bitwise_and bitwise_or
bitwise_xor bitwise_not sum mean prod std var std_mean var_mean max min amax amin argmax
argmin all any norm dist logsumexp cumsum cumprod cummax cummin median nanmedian mode
quantile nanquantile nansum nanmean count_nonzero sort argsort topk kthvalue unique
unique_consecutive bincount histc bucketize searchsorted matmul mm bmm mv dot outer inner
addmm baddbmm einsum tensordot kron cross cdist inverse det logdet slogdet pinverse
cholesky qr svd softmax log_softmax dropout nan_to_num no_grad enable_grad
set_grad_enabled is_grad_enabled inference_mode set_printoptions get_default_dtype
set_default_dtype float32 float64 float16 bfloat16 int64 int32 int16 int8 uint8 bool long
float double half int device cuda save load Size dtype finfo iinfo linalg fft distributions
autograd nn optim utils compile use_deterministic_algorithms set_num_threads
addcmul addcdiv clamp_min clamp_max addmv addr addbmm diff isin logit xlogy sinc heaviside
copysign float_power logaddexp2 logcumsumexp aminmax cov corrcoef matrix_power trapezoid trapz
cumulative_trapezoid gcd lcm frexp ldexp nextafter i0 polygamma mvlgamma renorm sgn fix positive
negative multiply subtract divide greater greater_equal less less_equal not_equal absolute ravel
msort vdot ger row_stack sin_ cos_ tanh_ sigmoid_ relu_ exp_ log_ sqrt_ zero_ fill_ clamp_
detach_ abs_ neg_ round_ floor_ ceil_ trunc_ atleast_1d atleast_2d atleast_3d diagflat
cartesian_prod broadcast_shapes tril_indices triu_indices is_nonzero is_same_size is_signed
get_num_threads
block_diag combinations unravel_index hann_window hamming_window blackman_window bartlett_window
kaiser_window select_scatter slice_scatter diagonal_scatter masked_scatter put index_reduce
promote_types can_cast result_type range scalar_tensor asarray frombuffer empty_strided
chain_matmul is_inference
"""

TENSOR = """
shape size dim ndim numel dtype device requires_grad grad grad_fn is_leaf data item tolist
numpy backward detach detach_ requires_grad_ retain_grad register_hook clone contiguous
is_contiguous to cpu cuda float double half long int bool type type_as view view_as reshape
reshape_as squeeze unsqueeze squeeze_ unsqueeze_ flatten unflatten transpose permute t T mT
expand expand_as repeat repeat_interleave split chunk unbind narrow select gather scatter
scatter_ scatter_add scatter_add_ index_select index_add index_add_ index_copy index_fill
index_fill_ masked_fill masked_fill_ masked_select take_along_dim nonzero where flip roll
tril triu diag diagonal trace add sub mul div pow neg abs exp log log1p sqrt rsqrt sin cos
tanh sigmoid relu clamp clip clamp_ sign floor ceil round reciprocal square atan2 lerp
add_ sub_ mul_ div_ pow_ neg_ exp_ abs_ sqrt_ relu_ zero_ fill_ copy_ uniform_ normal_
bernoulli_ random_ exponential_ sum mean prod std var max min amax amin argmax argmin all
any norm logsumexp cumsum cumprod median mode quantile sort argsort topk unique matmul mm bmm
mv dot outer addmm softmax log_softmax eq ne lt le gt ge isnan isinf isfinite isclose
allclose equal logical_not logical_and logical_or bitwise_and new_zeros new_ones new_full
new_empty new_tensor stride storage_offset element_size nelement is_floating_point
apply_ map_ inverse det movedim
scatter_reduce scatter_reduce_ index_put index_put_
addcmul addcmul_ addcdiv addcdiv_ clamp_min clamp_max clamp_min_ clamp_max_ addmv addr addbmm
diff logit xlogy sinc heaviside copysign float_power logaddexp2 logcumsumexp aminmax cov
corrcoef matrix_power gcd lcm frexp ldexp nextafter i0 polygamma mvlgamma renorm sgn fix
positive negative multiply subtract divide greater greater_equal less less_equal not_equal
absolute ravel msort vdot ger ndimension sin_ cos_ tan_ tanh_ sigmoid_ log_ log1p_ log2_ log10_
exp2_ expm1_ erf_ erfinv_ floor_ ceil_ round_ trunc_ frac_ reciprocal_ rsqrt_ square_ sign_
lgamma_ digamma_ asin_ acos_ atan_ sinh_ cosh_ asinh_ acosh_ atanh_ arcsin_ tril_ triu_ cumsum_
cumprod_ fmod_ remainder_ hypot_ lerp_ atan2_ eq_ ne_ lt_ le_ gt_ ge_ floor_divide_
true_divide_ nan_to_num_ clip_ addmm_ baddbmm_ logit_ xlogy_ sgn_ addmv_ addr_ addbmm_
copysign_ heaviside_ gcd_ lcm_ ldexp_ nextafter_ renorm_ float_power_ diagflat is_nonzero
is_same_size is_signed
select_scatter slice_scatter diagonal_scatter masked_scatter masked_scatter_ put put_
index_reduce index_reduce_ fill_diagonal_ sum_to_size retains_grad is_inference
"""

NN = """
Module Parameter Sequential ModuleList ModuleDict ParameterList ParameterDict Linear Bilinear
Identity LazyLinear Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d LazyConv2d MaxPool1d
MaxPool2d MaxPool3d AvgPool1d AvgPool2d AdaptiveAvgPool2d BatchNorm1d BatchNorm2d LayerNorm
GroupNorm InstanceNorm1d InstanceNorm2d Dropout Dropout1d Dropout2d Embedding EmbeddingBag RNN
LSTM GRU RNNCell LSTMCell GRUCell MultiheadAttention TransformerEncoderLayer
TransformerEncoder TransformerDecoderLayer TransformerDecoder Transformer ReLU ReLU6 LeakyReLU
PReLU RReLU ELU CELU SELU GELU SiLU Mish Sigmoid Tanh Softmax LogSoftmax Softplus Softsign
Hardtanh Hardswish Hardsigmoid GLU Flatten Unflatten Upsample PixelShuffle CosineSimilarity
PairwiseDistance MSELoss L1Loss HuberLoss SmoothL1Loss CrossEntropyLoss NLLLoss BCELoss
BCEWithLogitsLoss KLDivLoss MarginRankingLoss TripletMarginLoss CTCLoss init functional utils
parameter
RMSNorm AdaptiveMaxPool1d AdaptiveMaxPool2d MaxUnpool1d MaxUnpool2d Threshold Hardshrink
Softshrink Tanhshrink Softmax2d LocalResponseNorm BatchNorm3d LazyBatchNorm3d LazyInstanceNorm1d
LazyInstanceNorm2d LazyInstanceNorm3d AvgPool3d AdaptiveAvgPool3d ConvTranspose3d
LazyConvTranspose3d ZeroPad3d ReflectionPad3d ReplicationPad3d CircularPad3d UpsamplingNearest2d
UpsamplingBilinear2d ChannelShuffle LPPool1d LPPool2d GaussianNLLLoss PoissonNLLLoss
CosineEmbeddingLoss HingeEmbeddingLoss SoftMarginLoss MultiLabelSoftMarginLoss MultiLabelMarginLoss
MultiMarginLoss TripletMarginWithDistanceLoss AlphaDropout FeatureAlphaDropout
AdaptiveMaxPool3d MaxUnpool3d LPPool3d FractionalMaxPool2d FractionalMaxPool3d
AdaptiveLogSoftmaxWithLoss
"""

FUNCTIONAL = """
relu relu6 leaky_relu elu gelu silu mish sigmoid tanh softmax log_softmax softplus softsign
hardtanh hardswish glu linear bilinear conv1d conv2d conv3d conv_transpose2d max_pool2d
avg_pool2d adaptive_avg_pool2d dropout batch_norm layer_norm group_norm embedding one_hot pad
interpolate normalize cosine_similarity pairwise_distance unfold fold gumbel_softmax
scaled_dot_product_attention mse_loss l1_loss huber_loss smooth_l1_loss cross_entropy
nll_loss binary_cross_entropy binary_cross_entropy_with_logits kl_div
margin_ranking_loss triplet_margin_loss ctc_loss
rms_norm adaptive_max_pool1d adaptive_max_pool2d adaptive_max_pool1d_with_indices
adaptive_max_pool2d_with_indices max_pool1d_with_indices max_pool2d_with_indices max_unpool1d
max_unpool2d threshold threshold_ hardshrink softshrink tanhshrink local_response_norm avg_pool3d
adaptive_avg_pool3d conv_transpose3d upsample_nearest upsample_bilinear pdist channel_shuffle
lp_pool1d lp_pool2d elu_ celu_ selu_ leaky_relu_ rrelu_ gaussian_nll_loss poisson_nll_loss
cosine_embedding_loss hinge_embedding_loss soft_margin_loss multilabel_soft_margin_loss
multilabel_margin_loss multi_margin_loss triplet_margin_with_distance_loss alpha_dropout
feature_alpha_dropout affine_grid grid_sample
adaptive_max_pool3d adaptive_max_pool3d_with_indices max_unpool3d lp_pool3d
fractional_max_pool2d fractional_max_pool3d fractional_max_pool2d_with_indices
fractional_max_pool3d_with_indices
"""

OPTIM = """
SGD Adam AdamW RMSprop Adagrad Adadelta Adamax NAdam RAdam LBFGS Optimizer lr_scheduler
"""

SCHEDULERS = """
LRScheduler StepLR MultiStepLR ExponentialLR CosineAnnealingLR LambdaLR MultiplicativeLR
ReduceLROnPlateau CyclicLR OneCycleLR CosineAnnealingWarmRestarts LinearLR ConstantLR
SequentialLR ChainedScheduler PolynomialLR
"""

DISTRIBUTIONS = """
Distribution Normal Uniform Bernoulli Categorical Multinomial MultivariateNormal Gamma Chi2
Exponential Beta Dirichlet Laplace Cauchy StudentT LogNormal HalfNormal Poisson Binomial
Geometric Independent OneHotCategorical kl_divergence register_kl
"""

# The device and environment idioms programs start with (dotted: reached attribute by attribute).
ENVIRONMENT = """
backends.mps.is_available backends.mps.is_built backends.cudnn.enabled backends.cudnn.benchmark
backends.cudnn.deterministic backends.cudnn.allow_tf32 backends.cudnn.is_available
backends.cudnn.version backends.cudnn.flags backends.cuda.is_built
backends.cuda.matmul.allow_tf32 backends.mkldnn.is_available accelerator.is_available
accelerator.current_accelerator accelerator.device_count accelerator.current_device_index
accelerator.synchronize accelerator.current_stream version.__version__ version.cuda
version.debug version.git_version set_float32_matmul_precision get_float32_matmul_precision
cuda.Stream cuda.Event cuda.stream cuda.current_stream cuda.default_stream cuda.set_stream
cuda.is_bf16_supported autocast amp.autocast amp.GradScaler amp.is_autocast_available
cuda.amp.autocast cuda.amp.GradScaler is_autocast_enabled get_autocast_dtype
Tensor.pin_memory Tensor.is_pinned Tensor.data_ptr Tensor.nbytes Tensor.itemsize nn.DataParallel
nn.parallel.DataParallel
"""


def has(module: object, dotted: str) -> bool:
    """Whether ``module`` has the attribute path ``dotted`` (such as ``backends.cudnn.enabled``)."""
    for name in dotted.split("."):
        if not hasattr(module, name):
            return False
        module = getattr(module, name)
    return True


TESTING = """
assert_close make_tensor
"""

SPECIAL = """
expit logit erf erfc erfcx erfinv gammaln digamma psi polygamma multigammaln log1p expm1 exp2
xlogy xlog1py i0 i0e i1 i1e ndtr ndtri log_ndtr sinc entr logsumexp softmax log_softmax round
zeta gammainc gammaincc
"""

FUNC = """
functional_call grad grad_and_value vjp jacrev jacfwd vmap stack_module_state
"""


NN_UTILS = """
clip_grad_norm_ clip_grad_value_ parameters_to_vector vector_to_parameters rnn parametrize
parametrizations weight_norm remove_weight_norm spectral_norm remove_spectral_norm stateless
"""

PARAMETRIZE = """
register_parametrization remove_parametrizations is_parametrized cached
type_before_parametrizations ParametrizationList
"""

PARAMETRIZATIONS = """
orthogonal weight_norm spectral_norm
"""

PRUNE = """
BasePruningMethod PruningContainer Identity RandomUnstructured L1Unstructured RandomStructured
LnStructured CustomFromMask identity random_unstructured l1_unstructured random_structured
ln_structured global_unstructured custom_from_mask remove is_pruned
"""

SWA_UTILS = """
AveragedModel SWALR update_bn get_ema_avg_fn get_ema_multi_avg_fn get_swa_avg_fn
get_swa_multi_avg_fn
"""

CHECKPOINT = """
checkpoint checkpoint_sequential
"""

MODULE_METHODS = """
to_empty
"""

# (group, dotted module path below torch/bricks, names): the namespaces added in issue 12's
# breadth round, each probed against torch by its test too.
NAMESPACES = (("torch.nn.utils.*", "nn.utils", NN_UTILS),
              ("torch.nn.utils.parametrize.*", "nn.utils.parametrize", PARAMETRIZE),
              ("torch.nn.utils.parametrizations.*", "nn.utils.parametrizations",
               PARAMETRIZATIONS),
              ("torch.nn.utils.prune.*", "nn.utils.prune", PRUNE),
              ("torch.optim.swa_utils.*", "optim.swa_utils", SWA_UTILS),
              ("torch.utils.checkpoint.*", "utils.checkpoint", CHECKPOINT),
              ("torch.nn.Module methods", "nn.Module", MODULE_METHODS))


def resolve(root: object, dotted: str) -> object:
    """``root.a.b`` for ``dotted = "a.b"`` (modules imported on the way)."""
    import importlib

    target = root
    for part in dotted.split("."):
        if not hasattr(target, part):
            target = importlib.import_module(f"{target.__name__}.{part}")
        else:
            target = getattr(target, part)
    return target


def names(block: str) -> list[str]:
    return block.split()


def coverage(module: object, wanted: list[str]) -> tuple[int, list[str]]:
    missing = [name for name in wanted if not has(module, name)]
    return len(wanted) - len(missing), missing


def report() -> dict[str, tuple[int, int, list[str]]]:
    import bricks

    result = {}
    for group, module, block in (("torch.*", bricks, TORCH),
                                 ("Tensor methods", bricks.Tensor, TENSOR),
                                 ("torch.nn.*", bricks.nn, NN),
                                 ("torch.nn.functional.*", bricks.nn.functional, FUNCTIONAL),
                                 ("torch.optim.*", bricks.optim, OPTIM),
                                 ("torch.optim.lr_scheduler.*", bricks.optim.lr_scheduler,
                                  SCHEDULERS),
                                 ("torch.distributions.*", bricks.distributions,
                                  DISTRIBUTIONS),
                                 ("environment (torch.backends, accelerator, ...)", bricks,
                                  ENVIRONMENT),
                                 ("torch.testing.*", bricks.testing, TESTING),
                                 ("torch.special.*", bricks.special, SPECIAL),
                                 ("torch.func.*", bricks.func, FUNC)):
        wanted = names(block)
        have, missing = coverage(module, wanted)
        result[group] = (have, len(wanted), missing)
    for group, dotted, block in NAMESPACES:
        wanted = names(block)
        have, missing = coverage(resolve(bricks, dotted), wanted)
        result[group] = (have, len(wanted), missing)
    return result


def main(argv: list[str]) -> int:
    threshold = float(argv[argv.index("--check") + 1]) if "--check" in argv else None
    failed = False
    for group, (have, total, missing) in report().items():
        print(f"{group}: {have}/{total} = {have / total:.1%}")
        if missing:
            print("  missing: " + " ".join(missing))
        if threshold is not None and have / total < threshold:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
