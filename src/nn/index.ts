export { Module, type Parameter, type ParamOptions } from './module.js';
export { Conv2d, Linear, ReLU, MaxPool2d, Dropout, Flatten, Sequential, type LayerInit } from './layers.js';
export { gaussian, kaiming, zerosInit, initTensor, type Init } from './init.js';
export { SGD, type SGDOptions } from './optim.js';
export type { Optimizer, OptimizerState, StateBuffer } from './optimizer.js';
export { Adam, type AdamOptions } from './adam.js';
export { stepLr, type StepSchedule } from './schedule.js';
export { encodeSafetensors, decodeSafetensors, type NamedArray } from './safetensors.js';
export { moduleToSafetensors, loadModuleWeights } from './weights.js';
