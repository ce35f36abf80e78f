export { default } from '@clapjs/config/eslint';
