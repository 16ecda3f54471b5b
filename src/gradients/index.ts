// Every kernel's gradient rule, registered once by ready() (src/ready.ts).
import { registerElementwiseGradients } from './elementwise.js';
import { registerNnGradients } from './nn.js';
import { registerRoiGradients } from './roi.js';
import { registerShapeGradients } from './shape.js';

export function registerGradients(): void {
  registerElementwiseGradients();
  registerShapeGradients();
  registerNnGradients();
  registerRoiGradients();
}
